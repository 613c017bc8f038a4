"""The key-backend contract: an open key is a certificate, its chain and a pyHanko signer.

Backends know nothing about document formats. A format module asks the key for a
:class:`pyhanko.sign.signers.Signer` (PAdES/CAdES) or for raw signatures (XAdES) and the
backend decides where the private-key operation happens (memory, token, remote service).
"""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Any

from asn1crypto import x509

from ..report import KeyStorage

__all__ = ["KeyStorage", "SigningKey"]

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer


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

    @abc.abstractmethod
    def pyhanko_signer(self, *, prefer_pss: bool = False) -> Signer:
        """A pyHanko signer performing the private-key operation with this key."""

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, *, prefer_pss: bool = False) -> bytes:
        """Sign ``data`` (hashing on the host) and return the raw signature value."""
        signer = self.pyhanko_signer(prefer_pss=prefer_pss)
        return await signer.async_sign_raw(data, digest_algorithm)

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
