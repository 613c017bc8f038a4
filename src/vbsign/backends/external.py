"""Keys held elsewhere: the certificate-only key of two-step signing.

:class:`ExternalKey` is a :class:`~vbsign.backends.base.SigningKey` made of a certificate
(and its chain) without the private key. With no signature value it *captures* what a
format asks to be signed and answers with a placeholder of the right shape (``prepare``);
with a signature value it answers with that value, and only for the expected bytes
(``complete``). pyHanko's :class:`~pyhanko.sign.signers.pdf_cms.ExternalSigner` builds the
CMS around it. :func:`check_signature_value` verifies a value against the certificate
before anything is embedded, and says whether another key made it or it covers other bytes.
"""

from __future__ import annotations

import hashlib
from typing import Any

from asn1crypto import algos, x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import rsa
from pyhanko.sign.signers.pdf_cms import ExternalSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.sig_validate import DefaultSignatureValidator, SignatureValidationContext

from vbsign._core.errors import SessionRejected
from vbsign._core.i18n import Msg
from vbsign.backends.base import SigningKey
from vbsign.backends.cms_parts import CachedCmsParts, CmsParts, cms_parts
from vbsign.model.report import KeyStorage

__all__ = ["ExternalKey", "check_signature_value", "mechanism_for", "placeholder_signature"]


def placeholder_signature(cert: x509.Certificate) -> bytes:
    """A value of the right shape for ``cert``'s key (valid DER for ECDSA, so that formats
    converting it, e.g. XAdES's raw r||s, accept it)."""
    pub = cert.public_key
    if pub.algorithm == "ec":
        return bytes(algos.DSASignature({"r": 1, "s": 1}).dump())
    return bytes((int(pub.bit_size) + 7) // 8)


class _ValueSigner(CachedCmsParts, ExternalSigner):
    """pyHanko's external signer, bound to its key: captures or checks the signed bytes."""

    def __init__(self, owner: ExternalKey, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._owner = owner
        self._cms_parts = owner.cms_parts()

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        return self._owner.answer(data, dry_run=dry_run)


class ExternalKey(SigningKey):
    """A certificate whose private key is elsewhere (a USB token in another PC, a service).

    ``signature=None``: capture mode — ``captured`` lists the bytes each signing step
    asked for. Otherwise the key answers with ``signature`` when asked to sign exactly
    ``expected`` (anything else means the document changed since ``prepare``: refused).
    """

    label = "external"

    def __init__(
        self,
        certificate: x509.Certificate,
        chain: list[x509.Certificate] | None = None,
        *,
        signature: bytes | None = None,
        expected: bytes | None = None,
        parts: CmsParts | None = None,
    ) -> None:
        self._cert = certificate
        self._chain = list(chain or [])
        self._signature = signature
        self._expected = expected
        self._parts = parts
        self.captured: list[bytes] = []

    def cms_parts(self) -> CmsParts:
        """The constant CMS parts for this certificate and chain (built once; pass them to
        the per-document keys made from this one: asn1crypto re-serialises a certificate on
        every ``dump()`` once it has been read)."""
        if self._parts is None:
            self._parts = cms_parts(self._cert, self._chain)
        return self._parts

    def with_value(self, signature: bytes | None = None, expected: bytes | None = None) -> ExternalKey:
        """A key for one document: same certificate, chain and CMS parts; capture mode
        without ``signature``. The certificates are fresh copies: asn1crypto's ``dump()``
        of a certificate grows costly with every field read from it."""
        parts = self.cms_parts()
        return ExternalKey(
            x509.Certificate.load(parts.cert_der), [x509.Certificate.load(c) for c in parts.chain_der],
            signature=signature, expected=expected, parts=parts,
        )  # fmt: skip

    @property
    def storage(self) -> KeyStorage:
        return KeyStorage(kind="remote", description="external signer (two-step)")

    @property
    def certificate(self) -> x509.Certificate:
        return self._cert

    @property
    def chain(self) -> list[x509.Certificate]:
        return self._chain

    def extend_chain(self, certs: list[x509.Certificate]) -> bool:
        have = {c.dump() for c in self._chain}
        self._chain.extend(c for c in certs if c.dump() not in have)
        self._parts = None
        return True

    def pyhanko_signer(self, *, prefer_pss: bool = False) -> ExternalSigner:
        return _ValueSigner(
            self,
            signing_cert=self._cert,
            cert_registry=SimpleCertificateStore.from_certs(self._chain),
            signature_value=placeholder_signature(self._cert),
            prefer_pss=prefer_pss,
            embed_roots=False,
        )

    def answer(self, data: bytes, *, dry_run: bool = False) -> bytes:
        if dry_run or self._signature is None:
            if not dry_run:
                self.captured.append(bytes(data))
            return placeholder_signature(self._cert)
        if self._expected is not None and data != self._expected:
            raise SessionRejected(
                Msg(
                    "Tài liệu đã thay đổi từ lúc chuẩn bị: dữ liệu cần ký không còn như trong phiên ký.",
                    "The document changed since it was prepared: the bytes to sign are not the session's.",
                ),
                details={"reason": "document_changed"},
            )
        return self._signature


def mechanism_for(cert: x509.Certificate, md_algorithm: str, prefer_pss: bool) -> algos.SignedDigestAlgorithm:
    """The signature mechanism pyHanko would use for ``cert``'s key."""
    return ExternalKey(cert).pyhanko_signer(prefer_pss=prefer_pss).get_signature_mechanism_for_digest(md_algorithm)


def check_signature_value(
    cert: x509.Certificate,
    tbs: bytes,
    signature: bytes,
    mechanism: algos.SignedDigestAlgorithm,
    md_algorithm: str,
) -> None:
    """Verify ``signature`` over ``tbs`` with ``cert``'s public key; refuse with the reason
    (another key, other bytes, wrong padding) when it does not verify."""
    if not signature:
        raise SessionRejected(
            Msg("Giá trị chữ ký rỗng.", "The signature value is empty."), details={"reason": "empty_signature"}
        )
    try:
        DefaultSignatureValidator().validate_signature(
            signature, tbs, cert.public_key, mechanism, SignatureValidationContext(contextual_md_algorithm=md_algorithm)
        )
        return
    except (InvalidSignature, ValueError, TypeError):
        pass
    reason, vi, en = _why_not(cert, tbs, signature, md_algorithm)
    raise SessionRejected(Msg(vi, en), details={"reason": reason})


def _why_not(cert: x509.Certificate, tbs: bytes, signature: bytes, md: str) -> tuple[str, str, str]:
    """RSA: open the signature with the public key to tell "other key" from "other bytes"."""
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    pub = load_der_public_key(cert.public_key.dump())
    if isinstance(pub, rsa.RSAPublicKey) and len(signature) == (pub.key_size + 7) // 8:
        nums = pub.public_numbers()
        em = pow(int.from_bytes(signature, "big"), nums.e, nums.n).to_bytes(len(signature), "big")
        if em.startswith(b"\x00\x01\xff") and b"\x00" in em[2:]:
            digest_info = em[em.index(b"\x00", 2) + 1 :]
            expected = hashlib.new(md, tbs).digest()
            if digest_info.endswith(hashlib.new(md, hashlib.new(md, tbs).digest()).digest()):
                return (
                    "double_hash",
                    "Chữ ký được tạo trên giá trị băm của dữ liệu cần ký (băm hai lần); hãy ký chính tệp .tbs.",
                    "The signature was made over the hash of the bytes to sign (hashed twice); sign the .tbs file itself.",
                )
            if not digest_info.endswith(expected):
                return (
                    "other_bytes",
                    "Chữ ký đúng khóa của chứng thư nhưng ký trên dữ liệu khác (không phải dữ liệu cần ký của phiên).",
                    "The signature is by the certificate's key but over other bytes (not the session's bytes to sign).",
                )
            return ("wrong_padding", "Chữ ký sai định dạng (padding/thuật toán).", "Wrong signature padding or algorithm.")
        return (
            "wrong_key",
            "Chữ ký không phải của khóa trong chứng thư người ký (ký bằng khóa khác).",
            "The signature was not made with the key of the signer's certificate (another key).",
        )
    return (
        "invalid_signature",
        "Chữ ký không khớp chứng thư: ký bằng khóa khác, trên dữ liệu khác, hoặc sai thuật toán.",
        "The signature does not verify with the certificate: another key, other bytes or another algorithm.",
    )
