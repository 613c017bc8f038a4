"""The shape of a key-backend plugin for a remote-signing service with its own REST API.

Services that speak the CSC API need no plugin (``--key csc:ID``). A vendor with its own
API plugs in through the ``vbsign_key_backends`` hook: a scheme (here ``vidu-remote:``)
mapped to a factory returning a :class:`vbsign.backends.base.SigningKey`. Only three things
are vendor-specific, and they are left as ``NotImplementedError`` on purpose — vbsign does not
guess any vendor's API:

* :meth:`VendorClient.fetch_certificates` — the signer's certificate and chain;
* :meth:`VendorClient.sign_digest` — send one digest, get the raw signature value
  (PKCS#1 v1.5 / PSS / ECDSA DER) after the user approved it (PIN, OTP, phone push…);
* how the client authenticates (a token from an environment variable, never logged).

Everything else — CMS building, timestamps, revocation data, PAdES/XAdES/CAdES, batches,
the checks — is vbsign's and pyHanko's. To activate the adapter, expose
:func:`vbsign_key_backends` from the plugin module that the ``vbsign`` entry point names
(this example package does not, so installing it changes nothing).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from asn1crypto import x509
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

from vbsign.backends.base import SigningKey

SCHEME = "vidu-remote"


class VendorClient:
    """Talk to the vendor's REST API (bounded timeouts; never log tokens, PINs, OTPs)."""

    def __init__(self, account: str, **options: Any) -> None:
        self.account = account
        self.options = options

    def fetch_certificates(self) -> list[x509.Certificate]:
        """The signer's certificate first, then its chain."""
        raise NotImplementedError("call the vendor's certificate endpoint here")

    async def sign_digest(self, digest: bytes, digest_algorithm: str, mechanism: str) -> bytes:
        """The raw signature value over ``digest`` (already hashed with ``digest_algorithm``)."""
        raise NotImplementedError("call the vendor's sign-hash endpoint here")


class _VendorSigner(Signer):
    """A pyHanko signer whose private-key operation is the vendor's sign-hash call."""

    def __init__(self, client: VendorClient, cert: x509.Certificate, chain: list[x509.Certificate], **kw: Any) -> None:
        super().__init__(signing_cert=cert, cert_registry=SimpleCertificateStore.from_certs(chain), **kw)
        self._client = client

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if dry_run:
            return bytes(512)
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)["algorithm"].native
        return await self._client.sign_digest(hashlib.new(digest_algorithm, data).digest(), digest_algorithm, mechanism)


class VendorKey(SigningKey):
    label = SCHEME

    def __init__(self, client: VendorClient) -> None:
        certs = client.fetch_certificates()
        self._client, self._cert, self._chain = client, certs[0], certs[1:]

    @property
    def certificate(self) -> x509.Certificate:
        return self._cert

    @property
    def chain(self) -> list[x509.Certificate]:
        return list(self._chain)

    def pyhanko_signer(self, *, prefer_pss: bool = False) -> Signer:
        return _VendorSigner(self._client, self._cert, self._chain, prefer_pss=prefer_pss, embed_roots=False)


def open_vendor_key(ref: str, **options: Any) -> SigningKey:
    """``vidu-remote:ACCOUNT`` → a :class:`VendorKey` (options: the caller's ``pin`` etc.)."""
    return VendorKey(VendorClient(ref.split(":", 1)[1], **options))


def vbsign_key_backends() -> Mapping[str, Any]:
    """The hook implementation to expose from the plugin module (see the module docs)."""
    return {SCHEME: open_vendor_key}
