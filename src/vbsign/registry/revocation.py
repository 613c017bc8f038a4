"""Checking registered certificates against CRL/OCSP (async core, no database access).

Each certificate is validated by pyhanko-certvalidator at the given moment, in hard-fail
mode, with one shared validation context so that a CRL is fetched once for all the
certificates it covers. Outcomes:

* ``good`` — a path to a trust anchor was built and every certificate on it was found
  not revoked;
* ``revoked`` — with the revocation time and reason from the CRL/OCSP response;
* ``unknown`` — no revocation data could be obtained, no path to an anchor, or the check
  failed otherwise: never counted as good (fail closed), and reported as an alert.

Network access is bounded by :attr:`vbsign.pki.validation.Services.timeout` per request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import x509
from pyhanko_certvalidator import CertificateValidator
from pyhanko_certvalidator import errors as cv_errors

from vbsign._core.i18n import Msg
from vbsign.pki.trust import TrustStore
from vbsign.pki.validation import Services, build_context, path_error_reason

DEFAULT_CONCURRENCY = 8


@dataclass(frozen=True)
class RevocationStatus:
    fingerprint: str
    #: "good", "revoked" or "unknown"
    result: str
    revoked_at: datetime | None = None
    reason: str | None = None
    note: Msg | None = None


async def async_check_certificates(
    certs: Sequence[tuple[str, x509.Certificate]],
    *,
    trust: TrustStore,
    services: Services,
    at: datetime,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> list[RevocationStatus]:
    """The revocation status of each ``(fingerprint, certificate)`` at ``at``."""
    if not certs:
        return []
    if not trust:
        note = Msg(
            "Chưa có chứng thư gốc tin cậy để kiểm tra (nhập chứng thư CA vào sổ hoặc dùng --trust).",
            "No trust anchors to check against (import the CA certificates or use --trust).",
        )
        return [RevocationStatus(fp, "unknown", note=note) for fp, _ in certs]
    context = build_context(trust, moment=at, services=services, require_revocation=True)
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(fp: str, cert: x509.Certificate) -> RevocationStatus:
        async with gate:
            validator = CertificateValidator(cert, validation_context=context)
            try:
                await validator.async_validate_usage(set())
            except cv_errors.RevokedError as e:
                reason = getattr(e, "reason", None)
                return RevocationStatus(
                    fp,
                    "revoked",
                    revoked_at=getattr(e, "revocation_dt", None),
                    reason=getattr(reason, "native", None) or (str(reason) if reason else None),
                )
            except (cv_errors.PathBuildingError, cv_errors.ValidationError) as e:
                _, msg = path_error_reason(e)
                return RevocationStatus(fp, "unknown", note=msg)
            except (TimeoutError, ValueError, OSError) as e:
                return RevocationStatus(
                    fp,
                    "unknown",
                    note=Msg("Lỗi khi kiểm tra: {e}", "Check failed: {e}").format(e=type(e).__name__),
                )
            return RevocationStatus(fp, "good")

    try:
        return list(await asyncio.gather(*(one(fp, c) for fp, c in certs)))
    finally:
        # the context owns its fetcher backend: close its HTTP sessions (aiohttp would
        # otherwise print "Unclosed client session" when the process ends)
        await context.aclose()
