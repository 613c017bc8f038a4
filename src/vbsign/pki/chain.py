"""Completing the signer's certificate chain before signing.

A token usually holds only the signer's certificate (the VGCA tokens do), yet a signature
must carry the issuing CA's certificate for a recipient to build the path, and the
pre-signing check needs it too. :func:`complete_chain` finds the issuer certificates, nearest
first, up to a trust anchor, from — in this order —

1. the certificates that came with the key (the token's other certificates, a PKCS#12's
   chain, ``--chain`` files);
2. the trust store's intermediates (``vbsign trust add`` / ``TrustStore.with_intermediates``);
3. the *Authority Information Access* caIssuers URLs of the certificates (e.g.
   ``http://ca.gov.vn/pki/pub/crt/cpcag2.crt``), through the revocation sources' certificate
   fetcher (pyHanko's; a plugin's local mirror or the test PKI in-process when configured) —
   never when the network is forbidden, at most :data:`MAX_DEPTH` levels, each request bounded
   by the services' timeout, over HTTP(S) with TLS ≥ 1.2 (:mod:`vbsign.pki.net`); an issuer found
   is remembered for :data:`CACHE_TTL`.

What it cannot find is left to the pre-signing check, whose error then names ``--chain``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from asn1crypto import x509

from vbsign.pki.trust import TrustStore

if TYPE_CHECKING:
    from vbsign.pki.validation import Services

logger = logging.getLogger(__name__)

MAX_DEPTH = 5
CACHE_TTL = 3600.0
_CACHE_SIZE = 128
#: issuer name + key identifier of a certificate → (expiry, its issuer fetched from AIA)
_cache: dict[str, tuple[float, tuple[x509.Certificate, ...]]] = {}
_cache_lock = threading.Lock()


@dataclass
class CompletedChain:
    """The issuer certificates found (nearest first) and where each came from."""

    certificates: list[x509.Certificate] = field(default_factory=list)
    #: for each certificate: "key", "trust-store" or the AIA URL it was fetched from
    sources: list[str] = field(default_factory=list)
    #: the chain reaches a trust anchor (or a self-signed certificate)
    complete: bool = False
    #: AIA URLs tried without result, with the reason
    failures: list[str] = field(default_factory=list)


def _issuer_in(cert: x509.Certificate, pool: Iterable[x509.Certificate]) -> x509.Certificate | None:
    aki = cert.authority_key_identifier
    fallback = None
    for c in pool:
        if c.subject != cert.issuer or c.dump() == cert.dump():
            continue
        if aki is None or c.key_identifier == aki:
            return c
        fallback = fallback or c
    return fallback


def _cached(cert: x509.Certificate) -> x509.Certificate | None:
    key = cert.issuer.dump() + (cert.authority_key_identifier or b"")
    with _cache_lock:
        hit = _cache.get(key.hex())
    if hit is None or hit[0] <= time.monotonic():
        return None
    return _issuer_in(cert, hit[1])


def _remember(cert: x509.Certificate, issuer: x509.Certificate) -> None:
    key = (cert.issuer.dump() + (cert.authority_key_identifier or b"")).hex()
    with _cache_lock:
        if len(_cache) >= _CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[key] = (time.monotonic() + CACHE_TTL, (issuer,))


def aia_urls(cert: x509.Certificate) -> list[str]:
    aia = cert.authority_information_access_value
    if aia is None:
        return []
    return [d["access_location"].native for d in aia if d["access_method"].native == "ca_issuers"]


async def _from_aia(cert: x509.Certificate, services: Services, out: CompletedChain) -> x509.Certificate | None:
    """The issuer of ``cert`` from its caIssuers URLs, through the services' certificate
    fetcher (pyHanko's: DER, PEM or PKCS#7 answers; per-request timeout; TLS ≥ 1.2)."""
    urls = aia_urls(cert)
    if not urls:
        return None
    backend = services.make_fetcher_backend()
    if backend is None:
        return None
    try:
        fetcher = backend.get_fetchers().cert_fetcher
        found: list[x509.Certificate] = []
        async for c in fetcher.fetch_cert_issuers(cert):
            found.append(c)
    except Exception as e:  # network or parse failure: reported with the --chain hint, never fatal here
        out.failures.append(f"{', '.join(urls)}: {type(e).__name__}: {str(e)[:120]}")
        return None
    finally:
        await backend.close()
    issuer = _issuer_in(cert, found)
    if issuer is None:
        out.failures.append(f"{', '.join(urls)}: no issuer certificate in the answer")
        return None
    _remember(cert, issuer)
    return issuer


async def complete_chain(
    cert: x509.Certificate,
    have: Sequence[x509.Certificate],
    trust: TrustStore,
    services: Services,
) -> CompletedChain:
    """Issuer certificates of ``cert`` up to a trust anchor (see the module docstring)."""
    anchors = {a.dump() for a in trust.anchors}
    out = CompletedChain()
    pools: list[tuple[str, Sequence[x509.Certificate]]] = [("key", have), ("trust-store", trust.intermediates)]
    current = cert
    for _ in range(MAX_DEPTH):
        if current.dump() in anchors or current.self_signed in ("yes", "maybe") or _issuer_in(current, trust.anchors):
            out.complete = True
            return out
        found: tuple[x509.Certificate, str] | None = None
        for source, pool in pools:
            issuer = _issuer_in(current, pool)
            if issuer is not None:
                found = (issuer, source)
                break
        if found is None:  # remembered from an earlier fetch (no network), else fetched
            issuer = _cached(current) or (await _from_aia(current, services, out) if services.can_fetch else None)
            if issuer is not None:
                found = (issuer, "aia:" + ", ".join(aia_urls(current)))
        if found is None:
            return out
        if found[0].dump() not in anchors:
            out.certificates.append(found[0])
            out.sources.append(found[1])
        current = found[0]
    return out


def clear_cache() -> None:
    """Forget fetched caIssuers answers (tests)."""
    with _cache_lock:
        _cache.clear()
