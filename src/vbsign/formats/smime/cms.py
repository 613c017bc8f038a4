"""The CMS ``SignedData`` of an S/MIME 4.0 signature (RFC 8551 §2.5, RFC 5652).

The signature is made by the key's pyHanko signer, so every key backend works the same
way (software keys, PKCS#11 tokens, a remote-signing backend that provides a pyHanko
signer). Signed attributes: content-type, message-digest, signing-time,
signing-certificate-v2 (ESS, RFC 5035 — as for CAdES), the S/MIME capabilities
(RFC 8551 §2.5.2: what this agent can decrypt, strongest first) and, when the
certificate may also receive encrypted mail, the encryption key preference
(§2.5.3: "encrypt replies to this certificate"). A timestamper adds a signature
timestamp (CAdES B-T).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from asn1crypto import algos, cms, core, x509

from vbsign._core.errors import SigningError, short_reason
from vbsign._core.i18n import Msg
from vbsign.formats.cades import load_content_info

if TYPE_CHECKING:
    from pyhanko.sign.timestamps.api import TimeStamper

    from vbsign.backends.base import SigningKey

#: ``micalg`` parameter values of multipart/signed (RFC 8551 §3.5.3.2)
MICALG: dict[str, str] = {"sha256": "sha-256", "sha384": "sha-384", "sha512": "sha-512", "sha1": "sha1"}
#: content-encryption algorithms vbsign decrypts, announced strongest first
CAPABILITIES: tuple[str, ...] = ("aes256_gcm", "aes128_gcm", "aes256_cbc", "aes128_cbc")


def oaep_sha256_params() -> algos.RSAESOAEPParams:
    """RSAES-OAEP parameters with SHA-256 and MGF1-SHA-256 (RFC 4055 §4.1, RFC 8551 §2.3)."""
    return algos.RSAESOAEPParams(
        {
            "hash_algorithm": {"algorithm": "sha256"},
            "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": "sha256"}},
        }
    )


def capabilities_attribute() -> cms.CMSAttribute:
    caps: list[dict[str, Any]] = [{"capability_id": c} for c in CAPABILITIES]
    caps.append({"capability_id": "rsaes_oaep", "parameters": core.Any.load(oaep_sha256_params().dump())})
    return cms.CMSAttribute({"type": "smime_capabilities", "values": [cms.SMIMECapabilites(caps)]})


def key_preference_attribute(cert: x509.Certificate) -> cms.CMSAttribute | None:
    """``SMIMEEncryptionKeyPreference`` naming ``cert`` if it may receive encrypted mail."""
    ku = cert.key_usage_value
    if cert.public_key.algorithm != "rsa" or (ku is not None and "key_encipherment" not in ku.native):
        return None
    ias = cms.IssuerAndSerialNumber({"issuer": cert.issuer, "serial_number": cert.serial_number})
    pref = cms.SMIMEEncryptionKeyPreference(name="issuer_and_serial_number", value=ias)
    return cms.CMSAttribute({"type": "encrypt_key_pref", "values": [pref]})


@dataclass
class SmimeSignature:
    """A DER ``ContentInfo`` (SignedData) and what went into it."""

    der: bytes
    digest_algorithm: str
    signing_time: datetime
    timestamp_time: datetime | None = None


async def sign_entity(
    data: bytes,
    key: SigningKey,
    *,
    now: datetime,
    md_algorithm: str = "sha256",
    prefer_pss: bool = False,
    detached: bool = True,
    timestamper: TimeStamper | None = None,
) -> SmimeSignature:
    """Sign the canonical (CRLF) bytes of a MIME entity; ``detached=False`` encapsulates them."""
    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

    signer = key.pyhanko_signer(prefer_pss=prefer_pss)
    digest = hashlib.new(md_algorithm, data).digest()
    try:
        attrs = await signer.signed_attrs(
            digest, md_algorithm, attr_settings=PdfCMSSignedAttributes(signing_time=now),
            use_pades=True, is_pdf_sig=False,  # CAdES-style attributes incl. signing time
        )  # fmt: skip
        extra = [capabilities_attribute()]
        pref = key_preference_attribute(key.certificate)
        if pref is not None:
            extra.append(pref)
        signed = cms.CMSAttributes([*attrs, *extra])
        ci = await signer.async_sign_prescribed_attributes(
            md_algorithm,
            signed,
            cms_version="v1",
            timestamper=timestamper,
            encap_content_info={"content_type": "data"} if detached else {"content_type": "data", "content": data},
        )
    except (OSError, ValueError) as e:
        raise SigningError(
            Msg("Ký thư điện tử thất bại: {e}", "Signing the e-mail failed: {e}").format(e=short_reason(e))
        ) from e
    ts_time = None
    for attr in ci["content"]["signer_infos"][0]["unsigned_attrs"] or []:
        if attr["type"].native == "signature_time_stamp_token":
            ts_time = attr["values"][0]["content"]["encap_content_info"]["content"].parsed["gen_time"].native
    return SmimeSignature(ci.dump(), md_algorithm, now, ts_time)


def message_digests(der: bytes) -> list[tuple[str, bytes | None]]:
    """``[(digest algorithm, signed message-digest)]`` of each SignerInfo (for diagnosis)."""
    out: list[tuple[str, bytes | None]] = []
    try:
        sd = load_content_info(der)["content"]
        for si in sd["signer_infos"]:
            md = str(si["digest_algorithm"]["algorithm"].native)
            value: bytes | None = None
            for attr in si["signed_attrs"] or []:
                if attr["type"].native == "message_digest":
                    value = bytes(attr["values"][0].native)
            out.append((md, value))
    except Exception:  # unreadable: verification reports it
        return []
    return out


def digest_matches(data: bytes, md: str, expected: bytes | None) -> bool:
    if expected is None:
        return False
    try:
        return hashlib.new(md.replace("_", "-") if md.startswith("sha3") else md, data).digest() == expected
    except ValueError:
        return False


__all__ = [
    "CAPABILITIES",
    "MICALG",
    "SmimeSignature",
    "capabilities_attribute",
    "digest_matches",
    "key_preference_attribute",
    "message_digests",
    "oaep_sha256_params",
    "sign_entity",
]
