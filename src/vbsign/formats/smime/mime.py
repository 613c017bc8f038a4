"""Building and reading RFC 5322 / MIME messages with Python's :mod:`email` package.

Every MIME structure vbsign writes is built here with :mod:`email` objects and serialised
by :class:`email.generator.BytesGenerator` under :data:`POLICY` (``email.policy.SMTP``:
CRLF line endings, RFC 2047 encoded words for non-ASCII header text, RFC 2231 parameters
for non-ASCII file names). Nothing builds MIME text by hand.

What a signature needs from a message (RFC 8551 §3.1):

* the *entity* to protect — the message's ``Content-*`` header fields and its body — is
  separated from the RFC 5322 header section (From, To, Subject…), which stays outside;
* 8-bit content is re-encoded to 7 bits (quoted-printable for text, base64 otherwise)
  before signing, because mail relays may convert 8-bit data and so break the signature
  (RFC 8551 §3.1.2); lines longer than 998 octets are treated the same way;
* header fields are copied into the entity (RFC 9788 header protection, ``hp="clear"``)
  so that the signature also covers From, To, Subject and Date.
"""

from __future__ import annotations

import copy
import io
import secrets
from collections.abc import Iterable, Iterator, Sequence
from email import policy as email_policy
from email.generator import BytesGenerator
from email.header import Header
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from email.utils import formataddr, getaddresses
from typing import cast

from vbsign._core.errors import InputError
from vbsign._core.i18n import Msg
from vbsign.formats.smime.raw import multipart_parts, read_headers, split_header_body

#: the policy of every message vbsign writes: RFC 5322/MIME with CRLF line endings
POLICY = email_policy.SMTP
#: header fields copied into the signed entity (RFC 9788): never Bcc (its recipients must
#: stay hidden from the others, who all see the signed part)
PROTECTED_FIELDS: tuple[str, ...] = (
    "From", "Sender", "Reply-To", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References",
)  # fmt: skip
#: MIME types of S/MIME signatures and envelopes (RFC 8551 §3.2, with the x- forms of RFC 2311)
SIGNATURE_TYPES = frozenset({"application/pkcs7-signature", "application/x-pkcs7-signature"})
PKCS7_MIME_TYPES = frozenset({"application/pkcs7-mime", "application/x-pkcs7-mime"})
#: header fields holding address lists (see :func:`encoded_address_list`)
ADDRESS_FIELDS = frozenset(
    {"from", "sender", "reply-to", "to", "cc", "bcc", "resent-from", "resent-sender", "resent-to", "resent-cc", "resent-bcc"}
)
PREAMBLE = "This is an S/MIME signed message."
MAX_LINE = 998
#: the line length header fields are folded at (RFC 5322 §2.1.1 "SHOULD")
MAX_HEADER_LINE = 78


def parse_message(data: bytes) -> EmailMessage:
    """Parse RFC 5322 bytes (any line endings) into an :class:`EmailMessage`."""
    msg = BytesParser(policy=POLICY).parsebytes(data)
    assert isinstance(msg, EmailMessage)
    return msg


def fixed_entity(entity: MIMEPart) -> tuple[EmailMessage, bytes]:
    """``entity`` with its header fields folded once and for all, and its bytes.

    :mod:`email`'s generator writes the parts of a ``multipart/signed`` without folding
    their header fields (to keep signed bytes unchanged), so a long Subject or To copied
    into the signed part would exceed the 78-character line length and invite a gateway to
    re-wrap it — breaking the signature. Writing the entity once on its own (folded at 78)
    and parsing it back keeps those folded lines as source text, which is then written as is:
    the bytes returned are what the signed message will carry (:mod:`vbsign.formats.smime.sign`
    checks it).
    """
    data = serialise(entity)
    return parse_message(data), data


def serialise(msg: MIMEPart) -> bytes:
    """The message as CRLF bytes (``From`` lines never mangled)."""
    buf = io.BytesIO()
    BytesGenerator(buf, mangle_from_=False, policy=POLICY).flatten(cast(EmailMessage, msg), linesep="\r\n")
    return buf.getvalue()


def _address_tokens(name: str, addr: str, field: str, first: bool) -> list[str]:
    """An address as foldable tokens: the display name (quoted, or RFC 2047 encoded words of
    at most one line each) and ``<addr>``."""
    if not name:
        return [addr]
    if name.isascii():
        shown = formataddr((name, addr))
        return [shown[: shown.rfind(" <")], shown[shown.rfind(" <") + 1 :]]
    encoded = Header(name, "utf-8", header_name=field if first else None).encode(linesep="\n")
    return [*(w.strip() for w in encoded.split("\n")), f"<{addr}>"]


def encoded_address_list(value: str, field: str = "To") -> str | None:
    """An address list as pure ASCII, folded between addresses and never past 78
    characters, or ``None`` to leave the field to :mod:`email`.

    CPython's header folder (3.11) encodes the comma after a non-ASCII display name into an
    encoded word when it wraps an address list, and the next address is then lost when the
    message is read back — with Vietnamese names in To/Cc that is every long list. Writing
    the list already encoded and folded keeps every address; keeping every line short (and
    without trailing spaces) keeps gateways from re-wrapping a signed header.
    """
    if ":" in value and ";" in value:  # group syntax ("Phòng X: a@b, c@d;"): keep as is
        return None
    pairs = getaddresses([value])
    if not pairs or any(not addr or not addr.isascii() for _, addr in pairs):
        return None
    lines: list[str] = []
    for i, (name, addr) in enumerate(pairs):
        tokens = _address_tokens(name, addr, field, i == 0)
        tokens[-1] += "," if i < len(pairs) - 1 else ""
        line = tokens[0]
        for tok in tokens[1:]:
            room = MAX_HEADER_LINE - (len(field) + 2 if not lines else 1)
            if len(line) + 1 + len(tok) <= room:
                line += " " + tok
            else:
                lines.append(line)
                line = tok
        lines.append(line)
    return "\n ".join(lines)


def _fix_address_fields(part: MIMEPart) -> None:
    items = list(part.raw_items())
    if not any(n.lower() in ADDRESS_FIELDS for n, _ in items):
        return
    fixed: list[tuple[str, str]] = []
    for name, raw in items:
        enc = None
        if name.lower() in ADDRESS_FIELDS:
            enc = encoded_address_list(str(part.policy.header_fetch_parse(name, raw)), name)
        fixed.append((name, enc if enc is not None else raw))
    for name in {n for n, _ in items}:
        del part[name]
    for name, raw in fixed:
        part.set_raw(name, raw)


def editable_parts(msg: MIMEPart) -> Iterator[MIMEPart]:
    """``msg`` and its parts, except what lies inside a signature: the parts of a nested
    ``multipart/signed`` (signing or encrypting an already signed message must leave the
    signed bytes exactly as they are)."""
    yield msg
    if msg.get_content_type() == "multipart/signed":
        return
    payload = msg.get_payload()
    if isinstance(payload, list):
        for part in payload:
            yield from editable_parts(part)  # type: ignore[arg-type]


def copy_message(msg: MIMEPart) -> EmailMessage:
    """An independent copy (the caller's message is never modified), with address lists
    written so that they survive :mod:`email`'s folding (see :func:`encoded_address_list`).

    A message of :mod:`email`'s modern API is deep-copied; anything else (e.g. the
    ``compat32`` classes of :func:`email.message_from_bytes`) is written and read back as an
    :class:`EmailMessage` under :data:`POLICY`.
    """
    try:
        work = copy.deepcopy(msg)
        for part in editable_parts(work):
            _fix_address_fields(part)
        if isinstance(work, EmailMessage) and all(isinstance(p, MIMEPart) for p in work.walk()):
            return work
        return parse_message(serialise(work))
    except Exception as e:  # a message the generator cannot write (broken headers…)
        raise InputError(
            Msg("Không đọc được thư điện tử: {e}", "The e-mail message cannot be read: {e}").format(e=str(e)[:200])
        ) from e


def split_message(msg: EmailMessage) -> tuple[list[tuple[str, str]], EmailMessage]:
    """``(RFC 5322 header fields, MIME entity)`` — the entity is ``msg`` itself (a fresh copy
    from :func:`copy_message`: it is modified), left with its ``Content-*`` fields and body;
    ``MIME-Version`` belongs to neither (it is written on the outer message).

    Fields are moved as their *source* text (:meth:`~email.message.EmailMessage.raw_items`)
    so that they are written exactly as read, and the body is never touched (reading a
    payload back through :mod:`email` would decode 8-bit text and lose its bytes).
    """
    outer = [(n, v) for n, v in msg.raw_items() if not n.lower().startswith("content-") and n.lower() != "mime-version"]
    for name in {n for n, _ in outer} | {"MIME-Version"}:
        del msg[name]
    if "Content-Type" not in msg:
        msg["Content-Type"] = 'text/plain; charset="us-ascii"'
    return outer, msg


def _is_seven_bit_safe(part: MIMEPart) -> bool:
    cte = str(part.get("Content-Transfer-Encoding", "7bit")).strip().lower()
    if cte not in ("7bit", "quoted-printable", "base64"):
        return False
    payload = part.get_payload()
    if not isinstance(payload, str):
        return False
    try:
        payload.encode("ascii")
    except UnicodeEncodeError:
        return False
    return all(len(line) <= MAX_LINE for line in payload.splitlines())


def _reset_content(part: MIMEPart, content: str | bytes) -> None:
    """Re-encode ``part`` in 7 bits, keeping its other ``Content-*`` fields and parameters."""
    keep = [(k, v) for k, v in part.items() if k.lower() not in ("content-type", "content-transfer-encoding")
            and k.lower().startswith("content-")]  # fmt: skip
    ct = part["Content-Type"]
    raw_params = dict(getattr(ct, "params", {}) or {})
    params = {str(k): str(v) for k, v in raw_params.items() if str(k).lower() != "charset"}
    maintype, subtype = part.get_content_maintype(), part.get_content_subtype()
    if isinstance(content, str):
        part.set_content(content, subtype=subtype, charset="utf-8", cte="quoted-printable", params=params or None)
    else:
        part.set_content(content, maintype, subtype, cte="base64", params=params or None)
    for k, v in keep:
        part[k] = v


def make_seven_bit(entity: MIMEPart) -> list[str]:
    """Re-encode every 8-bit (or over-long) leaf of ``entity`` in place; returns their paths."""
    changed: list[str] = []
    for n, part in enumerate(editable_parts(entity)):
        if part.is_multipart() or part.get_content_type() == "message/rfc822":
            continue
        if _is_seven_bit_safe(part):  # type: ignore[arg-type]
            continue
        if part.get_content_maintype() == "text":
            content: str | bytes = part.get_content()
        else:
            content = cast(bytes, part.get_payload(decode=True) or b"")
        _reset_content(part, content)  # type: ignore[arg-type]
        changed.append(str(n))
    return changed


def protect_headers(entity: MIMEPart, outer: Iterable[tuple[str, str]], hp: str = "clear") -> list[str]:
    """Copy the user-facing header fields into ``entity`` (RFC 9788); returns their names."""
    wanted = {f.lower() for f in PROTECTED_FIELDS}
    copied: list[str] = []
    for name, value in outer:
        if name.lower() in wanted:
            entity.set_raw(name, value)
            copied.append(name)
    if copied:
        entity.set_param("hp", hp)
    return copied


def new_boundary(avoid: bytes) -> str:
    """A boundary that does not occur in ``avoid`` (the content it will delimit)."""
    while True:
        b = "vbsign-smime-" + secrets.token_hex(12)
        if b.encode() not in avoid:
            return b


def _outer(headers: Sequence[tuple[str, str]]) -> EmailMessage:
    msg = EmailMessage(policy=POLICY)
    for name, value in headers:
        msg.set_raw(name, value)
    return msg


def build_multipart_signed(
    headers: Sequence[tuple[str, str]], entity: MIMEPart, signature: bytes, micalg: str, boundary: str
) -> EmailMessage:
    """``multipart/signed`` (RFC 1847, RFC 8551 §3.5.3): the entity, then its signature."""
    msg = _outer(headers)
    msg["MIME-Version"] = "1.0"
    msg["Content-Type"] = "multipart/signed"
    msg.set_param("protocol", "application/pkcs7-signature")
    msg.set_param("micalg", micalg)
    msg.set_boundary(boundary)
    msg.preamble = PREAMBLE
    msg.attach(cast(EmailMessage, entity))
    sig = MIMEPart(policy=POLICY)
    sig.set_content(
        signature, "application", "pkcs7-signature", cte="base64", disposition="attachment",
        filename="smime.p7s", params={"name": "smime.p7s"},
    )  # fmt: skip
    sig["Content-Description"] = "S/MIME Cryptographic Signature"
    msg.attach(cast(EmailMessage, sig))
    return msg


def build_pkcs7_mime(headers: Sequence[tuple[str, str]], der: bytes, smime_type: str) -> EmailMessage:
    """``application/pkcs7-mime`` (RFC 8551 §3.2): opaque signed data or an envelope."""
    msg = _outer(headers)
    msg.set_content(
        der, "application", "pkcs7-mime", cte="base64", disposition="attachment", filename="smime.p7m",
        params={"smime-type": smime_type, "name": "smime.p7m"},
    )  # fmt: skip
    return msg


def first_part_bytes(message: bytes) -> bytes:
    """The exact bytes of the first body part of a (CRLF) multipart message (only the top
    level is located: this runs twice for every message signed)."""
    header, body = split_header_body(message)
    boundary = read_headers(header).get_boundary()
    spans, _ = multipart_parts(body, boundary or "")
    if not boundary or not spans:
        raise ValueError("not a multipart message")
    start, end = spans[0]
    return body[start:end]


__all__ = [
    "PKCS7_MIME_TYPES",
    "POLICY",
    "PROTECTED_FIELDS",
    "SIGNATURE_TYPES",
    "build_multipart_signed",
    "build_pkcs7_mime",
    "copy_message",
    "first_part_bytes",
    "fixed_entity",
    "make_seven_bit",
    "new_boundary",
    "parse_message",
    "protect_headers",
    "serialise",
    "split_message",
]
