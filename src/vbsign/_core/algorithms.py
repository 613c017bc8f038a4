"""Cryptographic floors of TT 15/2025 Annex I, one setting for every format and connection:
hash functions for *new* signatures (item 1.3) and the lowest TLS version (item 2.3).

SHA-1 and MD5 (and anything else outside the list) are refused for new signatures — PDF,
XAdES, CAdES, through the API, the CLI or a plugin — with a bilingual
:class:`~vbsign.errors.InputError` raised before any key is used. Verification of old
signatures is unaffected: it keeps reading and reporting them (rules TT15-02, VER-06).
"""

from __future__ import annotations

import re
import ssl
from datetime import datetime, timezone

from vbsign._core.errors import InputError
from vbsign._core.i18n import Msg

#: the lowest TLS version vbsign speaks (TT 15/2025 Annex I item 2.3); :mod:`vbsign.pki.net`
#: applies it to every HTTPS request, rule TT15-11 reports it
MIN_TLS_VERSION = ssl.TLSVersion.TLSv1_2


def minimum_tls_version() -> ssl.TLSVersion:
    """The minimum TLS version of every connection vbsign opens (rule TT15-11; no I/O)."""
    return MIN_TLS_VERSION


#: TT 15/2025 Phụ lục I mục 1.3 (FIPS 180-4 / FIPS 202), in asn1crypto's names
ALLOWED_HASHES = frozenset(
    {
        "sha256",
        "sha384",
        "sha512",
        "sha512_224",
        "sha512_256",
        "sha3_224",
        "sha3_256",
        "sha3_384",
        "sha3_512",
        "shake128",
        "shake256",
    }
)
#: broken or withdrawn hash functions, as people write them
WEAK_HASHES: dict[str, str] = {"sha1": "SHA-1", "md5": "MD5", "md2": "MD2", "md4": "MD4", "ripemd160": "RIPEMD-160", "sha224": "SHA-224"}
DEFAULT_HASH = "sha256"

#: the date after which a timestamp made with this hash no longer proves existence (past
#: signature validation, :mod:`vbsign.formats.proofs`): the publication of a practical
#: collision for MD5 (2004-08-17, Wang et al.) and SHA-1 (2017-02-23, SHAttered); SHA-224
#: leaves the recommended list at the end of 2030 (TT 15/2025 Annex I lists it no longer;
#: ETSI TS 119 312 keeps it as legacy). Hashes not listed have no known sunset.
HASH_SUNSET: dict[str, datetime] = {
    "md2": datetime(2004, 8, 17, tzinfo=timezone.utc),
    "md4": datetime(2004, 8, 17, tzinfo=timezone.utc),
    "md5": datetime(2004, 8, 17, tzinfo=timezone.utc),
    "sha1": datetime(2017, 2, 23, tzinfo=timezone.utc),
    "sha224": datetime(2031, 1, 1, tzinfo=timezone.utc),
}


def normalise_hash_name(name: str) -> str:
    """``"SHA-256"`` → ``"sha256"``, ``"SHA3-256"`` → ``"sha3_256"``, ``"sha512/256"`` → ``"sha512_256"``."""
    text = name.strip().lower().replace(" ", "")
    m = re.fullmatch(r"sha3[-_](224|256|384|512)", text)
    if m:
        return "sha3_" + m.group(1)
    text = text.replace("/", "_")
    if text.startswith("sha-"):
        text = "sha" + text[4:]
    return text.replace("-", "")


def require_signing_hash(name: str) -> str:
    """The normalised name of ``name`` if new signatures may use it; else a bilingual error."""
    norm = normalise_hash_name(name)
    if norm in ALLOWED_HASHES:
        return norm
    allowed = "SHA-256, SHA-384, SHA-512, SHA-512/224, SHA-512/256, SHA3-224/256/384/512"
    if norm in WEAK_HASHES:
        label = WEAK_HASHES[norm]
        raise InputError(
            Msg(
                f"Không tạo chữ ký mới bằng {label}: hàm băm này không còn an toàn và không thuộc danh mục của "
                f"Thông tư 15/2025/TT-BKHCN Phụ lục I mục 1.3 ({allowed}). Chữ ký cũ dùng {label} vẫn được kiểm tra.",
                f"No new signature with {label}: this hash function is no longer safe and is not in the list of "
                f"Circular 15/2025/TT-BKHCN Annex I item 1.3 ({allowed}). Old {label} signatures are still verified.",
            ),
            details={"hash": norm, "allowed": sorted(ALLOWED_HASHES)},
        )
    raise InputError(
        Msg(
            f"Hàm băm không hợp lệ cho chữ ký mới: {name} (dùng {allowed}; Thông tư 15/2025/TT-BKHCN Phụ lục I mục 1.3).",
            f"Not a hash function for new signatures: {name} (use {allowed}; Circular 15/2025/TT-BKHCN Annex I item 1.3).",
        ),
        details={"hash": norm, "allowed": sorted(ALLOWED_HASHES)},
    )
