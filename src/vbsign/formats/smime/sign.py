"""Sign an RFC 5322 message as S/MIME 4.0 (RFC 8551): ``multipart/signed`` or opaque.

The caller's message is never modified: a copy is split into its header section and its
MIME entity, the entity is made 7-bit safe and (by default) given protected copies of the
user-facing header fields (RFC 9788), and then

* **clear-signed** (default): the message becomes ``multipart/signed`` with the entity as
  first part and ``application/pkcs7-signature`` as second. The signature is computed over
  the bytes :mod:`email` writes for the entity, and the first part of the message written
  afterwards must be exactly those bytes (checked; if the generator ever wrote them
  differently, the bytes it did write are signed instead, and checked again);
* **opaque**: the entity is encapsulated in the CMS ``SignedData`` and the message becomes
  ``application/pkcs7-mime; smime-type=signed-data`` (readable only by S/MIME clients, but
  immune to any re-encoding on the way).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.message import MIMEPart
from typing import TYPE_CHECKING

from vbsign._core.errors import SigningError
from vbsign._core.i18n import Msg
from vbsign.formats.smime.cms import MICALG, SmimeSignature, sign_entity
from vbsign.formats.smime.mime import (
    build_multipart_signed,
    build_pkcs7_mime,
    copy_message,
    first_part_bytes,
    fixed_entity,
    make_seven_bit,
    new_boundary,
    protect_headers,
    serialise,
    split_message,
)

if TYPE_CHECKING:
    from pyhanko.sign.timestamps.api import TimeStamper

    from vbsign.backends.base import SigningKey


@dataclass(frozen=True)
class MailSignOptions:
    """How to sign a message."""

    #: False: ``multipart/signed`` (readable by any mail client); True: opaque ``signed-data``
    opaque: bool = False
    #: copy From/To/Subject/Date… into the signed part (RFC 9788) so the signature covers them
    protect_headers: bool = True
    md_algorithm: str = "sha256"
    #: RSASSA-PSS instead of PKCS#1 v1.5 (RSA keys)
    prefer_pss: bool = False


@dataclass
class SignedMessage:
    """The signed message and what was done to produce it."""

    #: the whole signed message, CRLF line endings
    data: bytes
    #: the signed MIME entity (the first part, or the encapsulated content)
    entity: bytes
    signature: SmimeSignature
    #: parts re-encoded from 8 bits to quoted-printable/base64 before signing
    reencoded: list[str] = field(default_factory=list)
    #: header fields protected inside the signed part
    protected_headers: list[str] = field(default_factory=list)


async def sign_mime(
    message: MIMEPart,
    key: SigningKey,
    options: MailSignOptions,
    *,
    now: datetime,
    timestamper: TimeStamper | None = None,
    copy: bool = True,
) -> SignedMessage:
    """Sign ``message`` with ``key`` (already checked by the caller) and return the result.

    ``copy=False``: ``message`` is a private copy made by :func:`copy_message` (it is consumed).
    """
    micalg = MICALG.get(options.md_algorithm)
    if micalg is None:
        raise SigningError(
            Msg("Thuật toán băm không dùng được cho S/MIME: {a}", "Digest algorithm not usable for S/MIME: {a}").format(
                a=options.md_algorithm
            )
        )
    headers, entity = split_message(copy_message(message) if copy else message)  # type: ignore[arg-type]
    reencoded = make_seven_bit(entity)
    protected = protect_headers(entity, headers) if options.protect_headers else []
    entity, content = fixed_entity(entity)
    common = {"now": now, "md_algorithm": options.md_algorithm, "prefer_pss": options.prefer_pss, "timestamper": timestamper}
    if options.opaque:
        sig = await sign_entity(content, key, detached=False, **common)  # type: ignore[arg-type]
        data = serialise(build_pkcs7_mime(headers, sig.der, "signed-data"))
        return SignedMessage(data, content, sig, reencoded, protected)
    boundary = new_boundary(content)
    signed_part = content
    for _ in range(2):
        sig = await sign_entity(signed_part, key, detached=True, **common)  # type: ignore[arg-type]
        data = serialise(build_multipart_signed(headers, entity, sig.der, micalg, boundary))
        written = first_part_bytes(data)
        if written == signed_part:
            break
        # the first part came out differently from the entity written alone (it never has in
        # the tests): sign exactly what the message carries, and check once more
        signed_part = written
    else:
        raise SigningError(
            Msg(
                "Lỗi nội bộ: phần thư đã ký bị thay đổi khi ghi thư; không dùng kết quả này.",
                "Internal error: the signed part changed while writing the message; the result was discarded.",
            )
        )
    return SignedMessage(data, signed_part, sig, reencoded, protected)


__all__ = ["MailSignOptions", "SignedMessage", "sign_mime"]
