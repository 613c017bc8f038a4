"""Why a clear-signed part does not match its signature: canonicalisation diagnosis.

A ``multipart/signed`` message travels as text, and mail systems change text: line
endings, 8-bit content re-encoded for a 7-bit relay, header lines re-wrapped. When the
digest of the received part differs from the signed message-digest, this module re-computes
the digest over the plausible *originals* of what was received — each the inverse of one
known transformation — and names the transformation whose inverse matches.

Two kinds of answers:

* **accepted** — the matching bytes are in the message exactly as received (the signer
  signed a non-canonical form, e.g. bare LF line endings or the line break before the
  boundary): the signed bytes *were* received, so integrity holds, with a warning;
* **explained** — the matching bytes are *not* what was received (a relay converted line
  endings, re-encoded a part, re-wrapped a header): the verdict stays TOTAL-FAILED, and the
  report says precisely what changed instead of a bare "hash mismatch".

Only single transformations are tried (a handful of digests, cheap); a change no variant
explains is reported as a change of the content.
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import quoprimime

from vbsign._core.i18n import Msg
from vbsign.formats.smime.cms import digest_matches
from vbsign.formats.smime.mime import ADDRESS_FIELDS, POLICY, encoded_address_list
from vbsign.formats.smime.raw import CRLF, RawEntity, header_fields, parse_entity, split_header_body

MAX_INDIVIDUAL_PARTS = 6
_CTE = re.compile(rb"(?im)^(content-transfer-encoding:)[ \t]*([\w-]+)[ \t]*(?=\r\n)")
_FOLD = re.compile(rb"\r\n([ \t])")


@dataclass(frozen=True)
class Variant:
    """A candidate original of the received part."""

    code: str
    #: True: the bytes are in the message as received (integrity holds, with a warning)
    accepted: bool
    message: Msg
    data: bytes = b""


_AS_RECEIVED = Msg(
    "Người ký đã ký nội dung ở dạng không chuẩn (xuống dòng LF thay vì CRLF, RFC 8551 mục 3.1.1); "
    "các byte đã ký đúng là các byte nhận được.",
    "The signer signed a non-canonical form (LF instead of CRLF line endings, RFC 8551 §3.1.1); "
    "the signed bytes are exactly the bytes received.",
)
_BOUNDARY_CRLF = Msg(
    "Người ký đã ký cả dấu xuống dòng trước đường phân cách MIME (không đúng RFC 1847); "
    "các byte đã ký đúng là các byte nhận được.",
    "The signer included the line break before the MIME boundary in the signed data (not per RFC 1847); "
    "the signed bytes are exactly the bytes received.",
)
_LF_TO_CRLF = Msg(
    "Nội dung đã bị hệ thống thư đổi dấu xuống dòng: người ký đã ký dạng LF, thư nhận được có CRLF. "
    "Ngoài việc đó nội dung không đổi, nhưng các byte nhận được KHÔNG phải các byte đã ký.",
    "A mail system changed the line endings: the signer signed LF line endings, the received message "
    "has CRLF. The content is otherwise unchanged, but the received bytes are NOT the signed bytes.",
)
_FINAL_BREAK = Msg(
    "Một dòng trống đã được thêm vào cuối phần thư đã ký (trước đường phân cách MIME).",
    "A line break was added at the end of the signed part (before the MIME boundary).",
)
_UNFOLDED = Msg(
    "Cổng thư đã ngắt lại (gấp dòng) các trường tiêu đề dài trong phần thư đã ký; chữ ký khớp với "
    "các trường tiêu đề khi chưa gấp dòng.",
    "A mail gateway re-wrapped (folded) long header lines of the signed part; the signature matches "
    "those header fields unfolded.",
)
_REFOLDED = Msg(
    "Cổng thư đã nối (bỏ gấp dòng) các trường tiêu đề dài trong phần thư đã ký; chữ ký khớp với "
    "các trường tiêu đề khi được gấp dòng ở 78 ký tự.",
    "A mail gateway unwrapped (unfolded) long header lines of the signed part; the signature matches "
    "those header fields folded at 78 characters.",
)
_FOLD_WS = Msg(
    "Cổng thư đã đổi khoảng trắng ở đầu dòng gấp của trường tiêu đề (tab ↔ dấu cách) trong phần thư đã ký.",
    "A mail gateway changed the whitespace starting folded header lines (tab ↔ space) in the signed part.",
)
_TO_7BIT = Msg(
    "Hệ thống thư đã mã hóa lại nội dung 8 bit thành quoted-printable/base64 (chuyển tiếp 7 bit) ở phần {p}; "
    "người ký lẽ ra phải mã hóa 7 bit trước khi ký (RFC 8551 mục 3.1.2).",
    "A mail system re-encoded 8-bit content as quoted-printable/base64 (7-bit relay) in part {p}; the "
    "signer should have encoded it in 7 bits before signing (RFC 8551 §3.1.2).",
)
_TO_8BIT = Msg(
    "Hệ thống thư đã giải mã quoted-printable/base64 thành 8 bit ở phần {p} (chuyển tiếp 8BITMIME).",
    "A mail system decoded quoted-printable/base64 to 8 bits in part {p} (8BITMIME relay).",
)


def _rewrite_headers(content: bytes, fn: Callable[[bytes], bytes]) -> bytes:
    """``content`` with every header section (nested parts included) passed through ``fn``."""
    try:
        root = parse_entity(content)
    except Exception:
        return content
    out = content
    for ent in sorted(root.walk(), key=lambda e: e.start, reverse=True):
        h_end = ent.start + len(ent.header)
        out = out[: ent.start] + fn(out[ent.start : h_end]) + out[h_end:]
    return out


def _refold(header: bytes) -> bytes:
    """Header fields longer than a line folded again the way vbsign writes them (address
    lists by :func:`~vbsign.formats.smime.mime.encoded_address_list`, others by :mod:`email` at 78)."""
    policy = POLICY.clone(refold_source="all")
    out: list[bytes] = []
    for f in header_fields(header):
        name, sep, value = f.partition(b":")
        if len(f) <= 80 or not sep:
            out.append(f)
            continue
        try:
            field = name.decode("ascii")
            decoded = str(POLICY.header_fetch_parse(field, _FOLD.sub(rb"\1", value).decode("ascii").strip()))
            enc = encoded_address_list(decoded, field) if field.lower() in ADDRESS_FIELDS else None
            out.append(f"{field}: {enc}\r\n".replace("\n ", "\r\n ").encode("ascii") if enc else policy.fold_binary(field, decoded))
        except (UnicodeError, ValueError):
            out.append(f)
    return b"".join(out)


def _replace_leaf(content: bytes, leaf: RawEntity, new: bytes) -> bytes:
    return content[: leaf.start] + new + content[leaf.end :]


def _decoded_leaf(leaf: RawEntity) -> bytes | None:
    """``leaf`` with a quoted-printable/base64 text body as 8-bit text."""
    m = _CTE.search(leaf.header)
    if m is None or m.group(2).lower() not in (b"quoted-printable", b"base64"):
        return None
    try:
        body = quopri.decodestring(leaf.body) if m.group(2).lower() == b"quoted-printable" else base64.b64decode(leaf.body)
    except (binascii.Error, ValueError):
        return None
    header = leaf.header[: m.start(2)] + b"8bit" + leaf.header[m.end(2) :]
    return header + CRLF + body


def _encoded_leaf(leaf: RawEntity, width: int = 76) -> bytes | None:
    """``leaf`` with an 8-bit text body as quoted-printable (what a 7-bit relay writes;
    ``width`` 76 is RFC 2045's line length, 78 what Python's :mod:`email` writes)."""
    m = _CTE.search(leaf.header)
    if m is None or m.group(2).lower() not in (b"8bit", b"binary"):
        return None
    header = leaf.header[: m.start(2)] + b"quoted-printable" + leaf.header[m.end(2) :]
    text = leaf.body.decode("latin-1").replace("\r\n", "\n")
    return header + CRLF + quoprimime.body_encode(text, width, eol="\r\n").encode("latin-1")


def _encoded_leaf_78(leaf: RawEntity) -> bytes | None:
    return _encoded_leaf(leaf, 78)


def _encoding_variants(content: bytes) -> Iterator[Variant]:
    try:
        leaves = [leaf for leaf in parse_entity(content).leaves() if leaf.headers.get_content_maintype() == "text"]
    except Exception:
        return
    for make, msg in ((_decoded_leaf, _TO_7BIT), (_encoded_leaf, _TO_8BIT), (_encoded_leaf_78, _TO_8BIT)):
        changes = [(leaf, new) for leaf in leaves if (new := make(leaf)) is not None]
        if not changes:
            continue
        combined = content
        for leaf, new in sorted(changes, key=lambda c: c[0].start, reverse=True):
            combined = _replace_leaf(combined, leaf, new)
        paths = ", ".join(leaf.path or "1" for leaf, _ in changes)
        yield Variant("MAIL_TRANSFER_ENCODING_CHANGED", False, msg.format(p=paths), combined)
        if 1 < len(changes) <= MAX_INDIVIDUAL_PARTS:
            for leaf, new in changes:
                yield Variant(
                    "MAIL_TRANSFER_ENCODING_CHANGED", False, msg.format(p=leaf.path or "1"), _replace_leaf(content, leaf, new)
                )


def variants(content: bytes, as_received: bytes | None = None) -> Iterator[Variant]:
    """Candidate originals of the received (canonical) part ``content``, most likely first."""
    if as_received is not None and as_received != content:
        yield Variant("MAIL_SIGNED_NON_CANONICAL", True, _AS_RECEIVED, as_received)
    yield Variant("MAIL_BOUNDARY_CRLF_SIGNED", True, _BOUNDARY_CRLF, content + CRLF)
    if as_received is not None and as_received != content:
        yield Variant("MAIL_BOUNDARY_CRLF_SIGNED", True, _BOUNDARY_CRLF, as_received + b"\n")
    yield Variant("MAIL_LINE_ENDINGS_CHANGED", False, _LF_TO_CRLF, content.replace(CRLF, b"\n"))
    if content.endswith(CRLF):
        yield Variant("MAIL_LINE_BREAK_ADDED", False, _FINAL_BREAK, content[:-2])
    yield Variant("MAIL_HEADERS_REWRAPPED", False, _UNFOLDED, _rewrite_headers(content, lambda h: _FOLD.sub(rb"\1", h)))
    yield Variant("MAIL_HEADERS_REWRAPPED", False, _REFOLDED, _rewrite_headers(content, _refold))
    yield Variant("MAIL_HEADERS_REWRAPPED", False, _FOLD_WS, _rewrite_headers(content, lambda h: h.replace(b"\r\n\t", b"\r\n ")))
    yield Variant("MAIL_HEADERS_REWRAPPED", False, _FOLD_WS, _rewrite_headers(content, lambda h: h.replace(b"\r\n ", b"\r\n\t")))
    yield from _encoding_variants(content)


def diagnose(content: bytes, digests: list[tuple[str, bytes | None]], as_received: bytes | None = None) -> Variant | None:
    """The first variant whose digest matches one of the signed message-digests."""
    if not digests:
        return None
    for v in variants(content, as_received):
        if v.data != content and any(digest_matches(v.data, md, expected) for md, expected in digests):
            return v
    return None


def has_eight_bit(content: bytes) -> bool:
    """Whether the signed entity carries 8-bit data (fragile in transit, RFC 8551 §3.1.2)."""
    header, body = split_header_body(content)
    return any(b > 0x7F for b in body) or any(b > 0x7F for b in header)


__all__ = ["Variant", "diagnose", "has_eight_bit", "variants"]
