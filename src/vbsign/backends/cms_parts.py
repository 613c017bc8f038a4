"""The per-certificate constant parts of a CMS signature, built once and reused.

pyHanko rebuilds, for every signature, the signing-certificate-v2 attribute, the signer
identifier and the certificate set; with asn1crypto each rebuild re-serialises whole
certificates (milliseconds per signature). They are constants for a certificate and its
chain, so :class:`CachedCmsParts` (a mixin for any pyHanko
:class:`~pyhanko.sign.signers.pdf_cms.Signer`: software keys, remote CSC keys, two-step
external values) computes them once per certificate + chain (:func:`cms_parts`) and reuses
their DER. The CMS produced is byte-for-byte what pyHanko would produce
(tests check this for software keys).
"""

from __future__ import annotations

import functools
from typing import Any

from asn1crypto import algos, cms, tsp, x509
from pyhanko.sign.attributes import CMSAttributeProvider, SigningCertificateV2Provider
from pyhanko.sign.general import as_signing_certificate_v2

__all__ = ["CachedCmsParts", "CmsParts", "cms_parts"]


class _CachedAttr(CMSAttributeProvider):
    """An attribute provider returning a constant value (parsed once from DER)."""

    def __init__(self, attribute_type: str, value_der: bytes, value_cls: Any) -> None:
        self.attribute_type = attribute_type
        self._der = value_der
        self._cls = value_cls

    async def build_attr_value(self, dry_run: bool = False) -> Any:
        return self._cls.load(self._der)


class CmsParts:
    """The signer identifier, the signing-certificate-v2 value and (after the first
    signature) the certificate set, as DER."""

    def __init__(self, cert: x509.Certificate, chain_der: tuple[bytes, ...] = ()) -> None:
        #: the DER of the certificate and the chain (asn1crypto's ``dump()`` of a certificate
        #: that has been read re-serialises it, milliseconds each time)
        self.cert_der = cert.dump()
        self.chain_der = chain_der
        self.sid_der = cms.SignerIdentifier(
            {
                "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                    {"issuer": cert.issuer, "serial_number": cert.serial_number}
                )
            }
        ).dump()
        self.ess_der = as_signing_certificate_v2(cert).dump()
        self.certset_der: bytes | None = None


@functools.lru_cache(maxsize=64)
def _parts(cert_der: bytes, chain_ders: tuple[bytes, ...], embed_roots: bool) -> CmsParts:
    return CmsParts(x509.Certificate.load(cert_der), chain_ders)


def cms_parts(cert: x509.Certificate, chain: list[x509.Certificate], embed_roots: bool = False) -> CmsParts:
    """The shared parts for ``cert`` signing with ``chain`` (the certificate set depends on both)."""
    return _parts(cert.dump(), tuple(c.dump() for c in chain), embed_roots)


class CachedCmsParts:
    """Mixin for a pyHanko ``Signer``: set ``self._cms_parts`` (a :class:`CmsParts`)."""

    _cms_parts: CmsParts
    attribute_certs: Any

    def _signed_attr_providers(self, *args: Any, **kwargs: Any) -> Any:
        for prov in super()._signed_attr_providers(*args, **kwargs):  # type: ignore[misc]
            if isinstance(prov, SigningCertificateV2Provider):
                yield _CachedAttr("signing_certificate_v2", self._cms_parts.ess_der, tsp.SigningCertificateV2)
            else:
                yield prov

    def signer_info(self, digest_algorithm: str, signed_attrs: Any, signature: bytes) -> cms.SignerInfo:
        return cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier.load(self._cms_parts.sid_der),
                "digest_algorithm": algos.DigestAlgorithm({"algorithm": digest_algorithm}),
                "signature_algorithm": self.get_signature_mechanism_for_digest(digest_algorithm),  # type: ignore[attr-defined]
                "signed_attrs": signed_attrs,
                "signature": signature,
            }
        )

    def _package_signature(self, **kwargs: Any) -> cms.ContentInfo:
        parts = self._cms_parts
        if parts.certset_der is None or self.attribute_certs:
            ci: cms.ContentInfo = super()._package_signature(**kwargs)  # type: ignore[misc]
            if not self.attribute_certs:
                parts.certset_der = ci["content"]["certificates"].untag().dump()
            return ci
        encap = kwargs["encap_content_info"] or {"content_type": "data"}
        sig_info = self.signer_info(kwargs["digest_algorithm"], kwargs["signed_attrs"], kwargs["signature"])
        if kwargs["unsigned_attrs"] is not None:
            sig_info["unsigned_attrs"] = kwargs["unsigned_attrs"]
        signed_data = {
            "version": kwargs["cms_version"],
            "digest_algorithms": cms.DigestAlgorithms((sig_info["digest_algorithm"],)),
            "encap_content_info": encap,
            "certificates": cms.CertificateSet.load(parts.certset_der),
            "signer_infos": [sig_info],
        }
        return cms.ContentInfo({"content_type": cms.ContentType("signed_data"), "content": cms.SignedData(signed_data)})
