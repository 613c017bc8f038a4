"""The key-backend contract: an open key is a certificate, its chain and a pyHanko signer.

Backends know nothing about document formats. A format module asks the key for a
:class:`pyhanko.sign.signers.Signer` (PAdES/CAdES) or for raw signatures (XAdES) and the
backend decides where the private-key operation happens (memory, token, remote service).
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from asn1crypto import x509

from vbsign._core.errors import KeyAccessError
from vbsign._core.i18n import Msg
from vbsign.model.report import KeyStorage

__all__ = ["KeyTransport", "SigningKey"]

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer


@dataclass(frozen=True)
class KeyTransport:
    """How a content-encryption key was encrypted to an RSA public key (CMS key transport).

    ``oaep``: RSAES-OAEP (RFC 8017, RFC 4055) with ``hash_algorithm`` and MGF1 over
    ``mgf_hash``; ``pkcs1v15``: RSAES-PKCS1-v1_5 (legacy senders).
    """

    scheme: Literal["oaep", "pkcs1v15"] = "oaep"
    hash_algorithm: str = "sha256"
    mgf_hash: str = "sha256"
    label: bytes | None = None


class SigningKey(abc.ABC):
    """An open signing key. Use as a context manager, or call :meth:`close`."""

    #: short human-readable description (never contains secrets)
    label: str = "key"

    @property
    def storage(self) -> KeyStorage:
        """Where the private key is kept (for the signing facts of rule TT15-10)."""
        return KeyStorage()

    @property
    @abc.abstractmethod
    def certificate(self) -> x509.Certificate:
        """The signer's certificate."""

    @property
    def chain(self) -> list[x509.Certificate]:
        """Other certificates that came with the key (intermediates, maybe the root)."""
        return []

    def extend_chain(self, certs: list[x509.Certificate]) -> bool:
        """Add issuer certificates found elsewhere (trust store, AIA) so that signatures carry
        them; ``False`` when the backend cannot (the signature then carries what it has)."""
        return False

    def expect_signatures(self, count: int) -> None:  # noqa: B027 - optional hook, default no-op
        """A batch announces how many signatures follow, so that a backend that authorises
        per batch (a remote-signing service's SAD) asks the user once for all of them."""

    @abc.abstractmethod
    def pyhanko_signer(self, *, prefer_pss: bool = False) -> Signer:
        """A pyHanko signer performing the private-key operation with this key."""

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, *, prefer_pss: bool = False) -> bytes:
        """Sign ``data`` (hashing on the host) and return the raw signature value."""
        signer = self.pyhanko_signer(prefer_pss=prefer_pss)
        return await signer.async_sign_raw(data, digest_algorithm)

    async def async_decrypt(self, ciphertext: bytes, transport: KeyTransport) -> bytes:
        """Decrypt a key-transport ciphertext with the private key (S/MIME decryption).

        Backends that hold the key (software, PKCS#11) implement it; a signing-only
        backend (e.g. a remote-signing service) keeps this default, which refuses clearly.
        """
        raise KeyAccessError(
            Msg(
                "Khóa '{k}' không dùng để giải mã được (backend chỉ hỗ trợ ký).",
                "Key '{k}' cannot decrypt (this backend only signs).",
            ).format(k=self.label)
        )

    @property
    def key_algorithm(self) -> str:
        return str(self.certificate.public_key.algorithm)

    def close(self) -> None:  # noqa: B027 - optional hook, default no-op
        """Release resources (sessions, handles). Idempotent."""

    def __enter__(self) -> SigningKey:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.label!r}>"
