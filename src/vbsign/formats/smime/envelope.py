"""S/MIME encryption: CMS ``EnvelopedData`` / ``AuthEnvelopedData`` (RFC 5652, RFC 5083,
RFC 8551 §2.7) built with asn1crypto and pyca/cryptography.

* content encryption: AES-256-GCM (``AuthEnvelopedData``, RFC 5084; the default — an
  authenticated cipher, so a modified ciphertext is refused instead of decrypted into
  attacker-chosen text) or AES-256-CBC (``EnvelopedData``, for older mail clients);
* key transport: RSAES-OAEP with SHA-256 and MGF1-SHA-256 (RFC 8551 §2.3, RFC 4055),
  one ``KeyTransRecipientInfo`` per recipient certificate (issuer and serial number).

Decryption also reads what other agents send: AES-128/192/256 in CBC or GCM, 3DES-CBC
(legacy, with a warning) and RSAES-PKCS1-v1_5 key transport (legacy, with a warning). The
private-key operation is the key backend's (:meth:`SigningKey.async_decrypt`): a
PKCS#12/PEM key in memory or an RSA key on a PKCS#11 token.

cryptography's own PKCS#7 envelope builder is not used: it has neither RSA-OAEP nor AES-GCM,
and decrypts with in-memory keys only.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from asn1crypto import cms, core, x509
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import load_der_public_key

from vbsign._core.errors import DecryptionError, InputError, VbsignError
from vbsign._core.i18n import Msg
from vbsign.backends.base import KeyTransport
from vbsign.formats.smime.cms import oaep_sha256_params

if TYPE_CHECKING:
    from vbsign.backends.base import SigningKey

#: ``--cipher`` names → (asn1crypto algorithm name, key bytes, authenticated)
CIPHERS: dict[str, tuple[str, int, bool]] = {
    "aes256-gcm": ("aes256_gcm", 32, True),
    "aes128-gcm": ("aes128_gcm", 16, True),
    "aes256-cbc": ("aes256_cbc", 32, False),
    "aes128-cbc": ("aes128_cbc", 16, False),
}
DEFAULT_CIPHER = "aes256-gcm"
GCM_TAG = 16
#: content types vbsign decrypts, by asn1crypto name (and their smime-type values)
SMIME_TYPES = {"enveloped_data": "enveloped-data", "authenticated_enveloped_data": "authEnveloped-data"}


class GCMParameters(core.Sequence):  # type: ignore[misc]
    """RFC 5084 §3.2 (asn1crypto does not define it)."""

    _fields = [("aes_nonce", core.OctetString), ("aes_icvlen", core.Integer, {"default": 12})]


@dataclass
class Envelope:
    """An encrypted MIME entity."""

    der: bytes
    #: ``enveloped-data`` or ``authEnveloped-data`` (the ``smime-type`` parameter)
    smime_type: str
    cipher: str
    recipients: list[x509.Certificate] = field(default_factory=list)


def _recipient_info(cert: x509.Certificate, cek: bytes) -> cms.RecipientInfo:
    pub = load_der_public_key(cert.public_key.dump())
    if not isinstance(pub, rsa.RSAPublicKey):
        raise InputError(
            Msg(
                "Chứng thư người nhận {n} không dùng khóa RSA: vbsign chỉ mã hóa bằng RSA-OAEP.",
                "The recipient certificate {n} has no RSA key: vbsign encrypts with RSA-OAEP only.",
            ).format(n=cert.subject.human_friendly)
        )
    encrypted = pub.encrypt(
        cek, asym_padding.OAEP(mgf=asym_padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    )
    ktri = cms.KeyTransRecipientInfo(
        {
            "version": "v0",
            "rid": cms.RecipientIdentifier(
                name="issuer_and_serial_number",
                value=cms.IssuerAndSerialNumber({"issuer": cert.issuer, "serial_number": cert.serial_number}),
            ),
            "key_encryption_algorithm": {"algorithm": "rsaes_oaep", "parameters": oaep_sha256_params()},
            "encrypted_key": encrypted,
        }
    )
    return cms.RecipientInfo(name="ktri", value=ktri)


def encrypt_entity(content: bytes, recipients: Sequence[x509.Certificate], cipher: str = DEFAULT_CIPHER) -> Envelope:
    """Encrypt a MIME entity (CRLF bytes) for ``recipients`` (already checked by the caller)."""
    if cipher not in CIPHERS:
        raise InputError(
            Msg("Thuật toán mã hóa không hỗ trợ: {c} (có: {k}).", "Unsupported cipher: {c} (available: {k}).").format(
                c=cipher, k=", ".join(CIPHERS)
            )
        )
    if not recipients:
        raise InputError(Msg("Chưa có người nhận nào để mã hóa.", "No recipient to encrypt for."))
    name, size, aead = CIPHERS[cipher]
    cek = os.urandom(size)
    infos = [_recipient_info(c, cek) for c in recipients]
    if aead:
        nonce = os.urandom(12)
        sealed = AESGCM(cek).encrypt(nonce, content, None)
        params = GCMParameters({"aes_nonce": nonce, "aes_icvlen": GCM_TAG})
        aed = cms.AuthEnvelopedData(
            {
                "version": "v0",
                "recipient_infos": infos,
                "auth_encrypted_content_info": {
                    "content_type": "data",
                    "content_encryption_algorithm": {"algorithm": name, "parameters": core.Any.load(params.dump())},
                    "encrypted_content": sealed[:-GCM_TAG],
                },
                "mac": sealed[-GCM_TAG:],
            }
        )
        ci = cms.ContentInfo({"content_type": "authenticated_enveloped_data", "content": aed})
        return Envelope(ci.dump(), "authEnveloped-data", cipher, list(recipients))
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    enc = Cipher(algorithms.AES(cek), modes.CBC(iv)).encryptor()
    body = enc.update(padder.update(content) + padder.finalize()) + enc.finalize()
    ed = cms.EnvelopedData(
        {
            "version": "v0",
            "recipient_infos": infos,
            "encrypted_content_info": {
                "content_type": "data",
                "content_encryption_algorithm": {"algorithm": name, "parameters": core.OctetString(iv)},
                "encrypted_content": body,
            },
        }
    )
    ci = cms.ContentInfo({"content_type": "enveloped_data", "content": ed})
    return Envelope(ci.dump(), "enveloped-data", cipher, list(recipients))


# ---- decryption ---------------------------------------------------------------------------------


@dataclass
class Decrypted:
    """The plaintext of an envelope and how it was protected."""

    content: bytes
    smime_type: str
    #: asn1crypto names: content cipher (``aes256_gcm``…) and key transport (``rsaes_oaep``…)
    cipher: str
    key_transport: str
    warnings: list[Msg] = field(default_factory=list)


def content_type(der: bytes) -> str | None:
    """The CMS content type of a DER ``ContentInfo`` (``signed_data``, ``enveloped_data``…)."""
    try:
        return str(cms.ContentInfo.load(der)["content_type"].native)
    except Exception:
        return None


def _matches(rid: cms.RecipientIdentifier, cert: x509.Certificate) -> bool:
    if rid.name == "issuer_and_serial_number":
        ias = rid.chosen
        return bool(ias["issuer"] == cert.issuer and ias["serial_number"].native == cert.serial_number)
    return bool(rid.chosen.native == cert.key_identifier)


def _transport(alg: Any) -> tuple[KeyTransport, str]:
    name = alg["algorithm"].native
    if name == "rsaes_pkcs1v15" or name == "rsa":
        return KeyTransport("pkcs1v15"), "rsaes_pkcs1v15"
    if name != "rsaes_oaep":
        raise DecryptionError(
            Msg("Thuật toán chuyển khóa không hỗ trợ: {a}", "Unsupported key transport algorithm: {a}").format(
                a=alg["algorithm"].dotted
            )
        )
    params = alg["parameters"]
    hash_name, mgf_hash = "sha1", "sha1"  # RFC 8017 defaults when the parameters are absent
    if params.native:
        hash_name = params["hash_algorithm"]["algorithm"].native
        mgf_hash = params["mask_gen_algorithm"]["parameters"]["algorithm"].native
    return KeyTransport("oaep", hash_name, mgf_hash), "rsaes_oaep"


def _decrypt_content(alg: Any, cek: bytes, ciphertext: bytes, mac: bytes | None, aad: bytes) -> tuple[bytes, list[Msg]]:
    name = str(alg["algorithm"].native)
    warnings: list[Msg] = []
    if name.endswith("_gcm"):
        params = GCMParameters.load(alg["parameters"].dump())
        nonce, icvlen = params["aes_nonce"].native, params["aes_icvlen"].native
        if mac is None or len(mac) != icvlen:
            raise DecryptionError(Msg("Mã xác thực (MAC) của thư không hợp lệ.", "The message's MAC is malformed."))
        return AESGCM(cek).decrypt(nonce, ciphertext + mac, aad or None), warnings
    iv = alg["parameters"].native
    if name.endswith("_cbc") and name.startswith("aes"):
        cipher: Any = algorithms.AES(cek)
        block = 128
    elif name == "tripledes_3key":
        from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES

        cipher, block = TripleDES(cek), 64
        warnings.append(Msg(
            "Thư được mã hóa bằng 3DES (lỗi thời); nên dùng AES.", "The message is encrypted with 3DES (obsolete); AES should be used."
        ))  # fmt: skip
    else:
        raise DecryptionError(
            Msg("Thuật toán mã hóa nội dung không hỗ trợ: {a}", "Unsupported content encryption algorithm: {a}").format(
                a=alg["algorithm"].dotted
            )
        )
    dec = Cipher(cipher, modes.CBC(iv)).decryptor()
    padded = dec.update(ciphertext) + dec.finalize()
    unpadder = padding.PKCS7(block).unpadder()
    return unpadder.update(padded) + unpadder.finalize(), warnings


async def decrypt_envelope(der: bytes, key: SigningKey) -> Decrypted:
    """Decrypt an ``EnvelopedData``/``AuthEnvelopedData`` addressed to ``key``'s certificate."""
    try:
        ci = cms.ContentInfo.load(der)
        kind = str(ci["content_type"].native)
        env = ci["content"]
        infos = list(env["recipient_infos"])
    except Exception as e:
        raise DecryptionError(
            Msg("Không đọc được phong bì mã hóa CMS: {e}", "The CMS envelope cannot be read: {e}").format(e=str(e)[:200])
        ) from e
    if kind not in SMIME_TYPES:
        raise DecryptionError(Msg("Đây không phải thư được mã hóa ({k}).", "This is not an encrypted message ({k}).").format(k=kind))
    cert = key.certificate
    try:
        mine = [ri.chosen for ri in infos if ri.name == "ktri" and _matches(ri.chosen["rid"], cert)]
        transport, transport_name = _transport(mine[0]["key_encryption_algorithm"]) if mine else (KeyTransport(), "")
    except VbsignError:
        raise
    except Exception as e:  # a damaged envelope (parsed lazily by asn1crypto)
        raise DecryptionError(
            Msg("Phong bì mã hóa CMS bị hỏng: {e}", "The CMS envelope is damaged: {e}").format(e=str(e)[:200])
        ) from e
    if not mine:
        raise DecryptionError(
            Msg(
                "Thư không được mã hóa cho chứng thư {n} ({k} người nhận khác).",
                "The message is not encrypted for certificate {n} ({k} other recipients).",
            ).format(n=cert.subject.human_friendly, k=len(infos))
        )
    warnings: list[Msg] = []
    if transport.scheme == "pkcs1v15":
        warnings.append(Msg(
            "Khóa nội dung được chuyển bằng RSA PKCS#1 v1.5 (cũ); RFC 8551 khuyến nghị RSA-OAEP.",
            "The content key was transported with RSA PKCS#1 v1.5 (legacy); RFC 8551 recommends RSA-OAEP.",
        ))  # fmt: skip
    cek = await key.async_decrypt(mine[0]["encrypted_key"].native, transport)
    try:
        if kind == "authenticated_enveloped_data":
            eci, mac = env["auth_encrypted_content_info"], env["mac"].native
            attrs = env["auth_attrs"]
            aad = b"\x31" + attrs.dump()[1:] if attrs.native else b""  # RFC 5083 §2.2: the DER of a SET OF
        else:
            eci, mac, aad = env["encrypted_content_info"], None, b""
        content, more = _decrypt_content(eci["content_encryption_algorithm"], cek, eci["encrypted_content"].native or b"", mac, aad)
    except VbsignError:
        raise
    except Exception as e:  # wrong key, altered ciphertext or tag: never return partial plaintext
        raise DecryptionError(
            Msg(
                "Giải mã thất bại: nội dung mã hóa bị thay đổi hoặc khóa không đúng ({e}).",
                "Decryption failed: the encrypted content was altered or the key is wrong ({e}).",
            ).format(e=type(e).__name__)
        ) from None
    return Decrypted(
        content, SMIME_TYPES[kind], str(eci["content_encryption_algorithm"]["algorithm"].native), transport_name,
        [*warnings, *more],
    )


__all__ = [
    "CIPHERS",
    "DEFAULT_CIPHER",
    "Decrypted",
    "Envelope",
    "content_type",
    "decrypt_envelope",
    "encrypt_entity",
]
