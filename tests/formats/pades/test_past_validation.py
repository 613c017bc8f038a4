"""Past signature validation with archive timestamps (issue 18), at simulated clocks.

The archive PKI (``archive_pki``): the signer (until 2028), its CA (until 2034) and the first
TSA (until 2031-01-01) expire; the second TSA and its CA last until 2050/2055. The document is
signed at B-LTA on 2026-12-01 with TSA 1, renewed with TSA 2 the day before TSA 1 expires,
then verified offline 1, 6 and 12 years on. No network: every service answers in-process at
the simulated time.
"""

from __future__ import annotations

import asyncio
import io
from datetime import datetime, timedelta

import pytest

import vbsign
from tests.conftest import T0
from vbsign.errors import SigningError
from vbsign.model.report import Indication, SubIndication
from vbsign.pki.trust import TrustStore
from vbsign.pki.validation import Services, build_context

YEAR = timedelta(days=365)


def _services(pki, at: datetime) -> Services:  # type: ignore[no-untyped-def]
    return Services(online=False, fetcher_backend=pki.fetcher_backend(at))


@pytest.fixture(scope="module")
def lta(archive_lta: bytes) -> bytes:
    return archive_lta


@pytest.fixture(scope="module")
def renewed(archive_pki, lta) -> tuple[bytes, datetime]:  # type: ignore[no-untyped-def]
    when = archive_pki.cert("ar-tsa1").not_valid_after - timedelta(days=1)  # TSA 1 expiry minus one day
    result = vbsign.extend(
        lta, renew=True, tsa=archive_pki.timestamper(when, "tsa2"), trust=[archive_pki.cert("ar-root")],
        services=_services(archive_pki, when), clock=lambda: when,
    )  # fmt: skip
    assert result.steps == ["archive-timestamp-renewed"] and result.timestamp_time == when
    return result.data, when


def _verify(pki, data: bytes, when: datetime):  # type: ignore[no-untyped-def]
    return vbsign.verify(data, trust=[pki.cert("ar-root")], now=when, services=Services(online=False))


def _expired_at(pki, when: datetime, *labels: str) -> bool:  # type: ignore[no-untyped-def]
    return all(pki.cert(lbl).not_valid_after < when for lbl in labels)


@pytest.mark.parametrize("years", [1, 6, 12])
def test_renewed_in_time_passes_at_signing_time(archive_pki, renewed, years: int) -> None:  # type: ignore[no-untyped-def]
    data, when = renewed
    now = when + years * YEAR
    report = _verify(archive_pki, data, now)
    assert report.indication is Indication.TOTAL_PASSED, [(s.id, s.findings) for s in report.signatures]
    sig = next(s for s in report.signatures if s.kind == "signature")
    assert sig.validation_time == T0 and sig.signing_time_source == "timestamp"
    if years == 12:  # signer, its CA and the first TSA have all expired by then
        assert _expired_at(archive_pki, now, "ar-signer", "ar-ca1", "ar-tsa1")


def test_not_renewed_holds_one_year_then_indeterminate(archive_pki, lta) -> None:  # type: ignore[no-untyped-def]
    assert _verify(archive_pki, lta, T0 + YEAR).indication is Indication.TOTAL_PASSED
    report = _verify(archive_pki, lta, T0 + 6 * YEAR)
    assert (report.indication, report.sub_indication) == (Indication.INDETERMINATE, SubIndication.NO_POE)
    sig = next(s for s in report.signatures if s.kind == "signature")
    finding = next(f for f in sig.findings if f.code == "ARCHIVE_TIMESTAMP_EXPIRED")
    assert finding.details["proof_holds_until"].startswith("2031-01-01")
    assert "Archive TSA 1" in finding.details["limit"]


def test_renewed_too_late_is_indeterminate_with_the_reason(archive_pki, lta) -> None:  # type: ignore[no-untyped-def]
    late = archive_pki.cert("ar-tsa1").not_valid_after + timedelta(days=1)
    roots = [archive_pki.cert("ar-root")]
    # vbsign refuses: the newest proof has already expired
    with pytest.raises(SigningError) as e:
        vbsign.extend(
            lta, renew=True, tsa=archive_pki.timestamper(late, "tsa2"), trust=roots,
            services=_services(archive_pki, late), clock=lambda: late,
        )  # fmt: skip
    assert "NO_POE" in e.value.message_en
    # another tool (pyHanko directly) adds the late document timestamp anyway
    late_doc = asyncio.run(_late_document_timestamp(archive_pki, lta, late))
    report = _verify(archive_pki, late_doc, late + 12 * YEAR)
    assert (report.indication, report.sub_indication) == (Indication.INDETERMINATE, SubIndication.NO_POE)
    sig = next(s for s in report.signatures if s.kind == "signature")
    finding = next(f for f in sig.findings if f.code == "ARCHIVE_RENEWAL_TOO_LATE")
    assert finding.details["next_proof_time"].startswith(late.date().isoformat())
    assert "2031" in finding.message_en and "came later" in finding.message_en


async def _late_document_timestamp(pki, data: bytes, late: datetime) -> bytes:  # type: ignore[no-untyped-def]
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    vc = build_context(TrustStore.coerce([pki.cert("ar-root")]), moment=late, services=_services(pki, late))
    out = io.BytesIO()
    stamper = signers.PdfTimeStamper(pki.timestamper(late, "tsa2"), field_name="Late")
    await stamper.async_timestamp_pdf(IncrementalPdfFileWriter(io.BytesIO(data)), "sha256", validation_context=vc, output=out)
    await vc.aclose()
    return out.getvalue()
