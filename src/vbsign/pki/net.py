"""The one HTTP client setting of vbsign: TLS 1.2 or later for every HTTPS request.

Circular 15/2025 Annex I items 2.2–2.3 (rule TT15-11) require HTTP/1.1 over TLS ≥ 1.2 for
the network connections of signing and verification software. vbsign makes HTTP requests
in three places — OCSP, CRL and certificate (AIA caIssuers) fetches of the revocation
sources, RFC 3161 timestamp requests, and chain completion from AIA — and all of them get
their ``aiohttp`` session from here, with :func:`tls_context`: the system's (or certifi's)
CA certificates, hostname checking, and ``minimum_version = TLSv1_2`` whatever the local
OpenSSL configuration says. Timeouts stay with each caller (every request is bounded).

Server certificates are checked against ``SSL_CERT_FILE`` when it is set (a ministry's
internal CA), else certifi's bundle, as pyHanko does.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from vbsign._core.algorithms import minimum_tls_version

if TYPE_CHECKING:
    from pyhanko.sign.timestamps.api import TimeStamper



def tls_context() -> ssl.SSLContext:
    """A client TLS context: verified certificates and host names, TLS ≥ 1.2."""
    cafile = os.environ.get("SSL_CERT_FILE")
    if not cafile:
        import certifi

        cafile = certifi.where()
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.minimum_version = minimum_tls_version()  # whatever the local OpenSSL configuration allows
    return ctx


def client_session(**kwargs: Any) -> Any:
    """A new ``aiohttp.ClientSession`` whose connections use :func:`tls_context`."""
    import aiohttp

    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=tls_context()), **kwargs)


def lazy_session() -> Any:
    """A pyhanko-certvalidator ``LazySession`` (created on first use, in the running event
    loop) that opens :func:`client_session` sessions; fetcher backends close it."""
    from pyhanko_certvalidator.fetchers.aiohttp_fetchers.util import LazySession

    class TlsLazySession(LazySession):
        def get_session(self) -> Any:
            if self._session is None:
                self._session = client_session()
            return self._session

    return TlsLazySession()  # type: ignore[no-untyped-call]


def http_timestamper(url: str, timeout: float) -> TimeStamper:
    """pyHanko's RFC 3161 HTTP client, with a TLS ≥ 1.2 session per request."""
    from pyhanko.sign.timestamps import HTTPTimeStamper

    class TlsTimeStamper(HTTPTimeStamper):
        @asynccontextmanager
        async def _acquire_session(self) -> AsyncIterator[Any]:
            # one session per request and event loop, as pyHanko does, with vbsign's TLS
            session = lazy_session()
            try:
                yield session.get_session()
            finally:
                await session.close()

    return TlsTimeStamper(url, timeout=max(1, int(timeout)))
