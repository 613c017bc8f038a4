"""CAdES augmentation (issue 18): B-B → B-T → B-LT → B-LTA with archive-time-stamp-v3, renewal,
what the archive timestamp protects, and past validation with the archive PKI."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asn1crypto import cms

import vbsign
from tests.conftest import PASSPHRASE, T0
from vbsign.formats.cades_ats import OID_ARCHIVE_TIMESTAMP_V3
from vbsign.model.report import Indication, SubIndication
from vbsign.pki.validation import Services

CONTENT = "Quyết định số 18/QĐ-LT về lưu trữ hồ sơ.".encode()
OFFLINE = Services(online=False)
YEAR = timedelta(days=365)


def _verify(data: bytes, trust, when=T0, content: bytes = CONTENT):  # type: ignore[no-untyped-def]
    return vbsign.verify(data, trust=trust, now=when, services=OFFLINE, content=content)


def _extend(data: bytes, pki, services, tsa, **kw):  # type: ignore[no-untyped-def]
    return vbsign.extend(data, tsa=tsa, trust=pki.roots, services=services, clock=lambda: T0, content=CONTENT, **kw)


@pytest.fixture
def bb_p7s(sign_as) -> bytes:  # type: ignore[no-untyped-def]
    return sign_as("person", CONTENT, level="B-B", format="cades")


def test_step_by_step_each_level_verifies(bb_p7s, pki, services, tsa) -> None:  # type: ignore[no-untyped-def]
    data, steps = bb_p7s, []
    for level in ("b-t", "b-lt", "b-lta"):
        result = _extend(data, pki, services, tsa, level=level)
        assert (result.format, result.level_after) == ("cms", level.upper())
        report = vbsign.verify(result.data, trust=pki.roots, now=T0, content=CONTENT,
                               services=services if level == "b-t" else OFFLINE)  # fmt: skip
        assert report.indication is Indication.TOTAL_PASSED, [s.findings for s in report.signatures]
        assert report.signatures[0].level == level.upper()
        steps.append(result.steps)
        data = result.data
    assert steps == [["signature-timestamp"], ["validation-data"], ["archive-timestamp"]]
    renewed = _extend(data, pki, services, tsa, level="b-lta", renew=True)
    assert renewed.steps == ["archive-timestamp-renewed"]
    sig = _verify(renewed.data, pki.roots).signatures[0]
    assert sig.indication is Indication.TOTAL_PASSED and len(sig.archive_timestamps) == 2
    assert all(a.intact and a.trusted for a in sig.archive_timestamps)


def _without_first_archive_timestamp(data: bytes) -> bytes:
    ci = cms.ContentInfo.load(data)
    si = ci["content"]["signer_infos"][0]
    attrs = list(si["unsigned_attrs"])
    first = next(i for i, a in enumerate(attrs) if a["type"].dotted == OID_ARCHIVE_TIMESTAMP_V3)
    si["unsigned_attrs"] = cms.CMSAttributes([cms.CMSAttribute.load(a.dump()) for i, a in enumerate(attrs) if i != first])
    return bytes(ci.dump())


def test_archive_timestamp_protects_what_it_covers(bb_p7s, pki, services, tsa) -> None:  # type: ignore[no-untyped-def]
    lta = _extend(bb_p7s, pki, services, tsa, level="b-lta").data
    renewed = _extend(lta, pki, services, tsa, level="b-lta", renew=True).data
    # removing the first archive timestamp breaks the second (its hash index lists it)
    stripped = _verify(_without_first_archive_timestamp(renewed), pki.roots).signatures[0]
    assert [a.intact for a in stripped.archive_timestamps] == [False]
    assert stripped.has_finding("ARCHIVE_TIMESTAMP_INVALID")
    # other content: the signature itself fails
    assert _verify(renewed, pki.roots, content=CONTENT + b" ").indication is Indication.TOTAL_FAILED


def test_detached_needs_its_content(bb_p7s, pki, services, tsa) -> None:  # type: ignore[no-untyped-def]
    from vbsign.errors import VbsignError

    with pytest.raises(VbsignError):
        vbsign.extend(bb_p7s, level="b-lta", tsa=tsa, trust=pki.roots, services=services, clock=lambda: T0)


def test_past_validation_with_renewal(archive_pki, archive_key) -> None:  # type: ignore[no-untyped-def]
    roots = [archive_pki.cert("ar-root")]

    def svc(at):  # type: ignore[no-untyped-def]
        return Services(online=False, fetcher_backend=archive_pki.fetcher_backend(at))

    signed = vbsign.sign(CONTENT, key=archive_key, passphrase=PASSPHRASE, trust=roots, level="B-LT", format="cades",
                         tsa=archive_pki.timestamper(T0, "tsa1"), services=svc(T0), clock=lambda: T0).data  # fmt: skip
    lta = vbsign.extend(signed, level="b-lta", tsa=archive_pki.timestamper(T0, "tsa1"), trust=roots,
                        services=svc(T0), clock=lambda: T0, content=CONTENT).data  # fmt: skip
    assert _verify(lta, roots, T0 + YEAR).indication is Indication.TOTAL_PASSED
    stale = _verify(lta, roots, T0 + 6 * YEAR)
    assert (stale.indication, stale.sub_indication) == (Indication.INDETERMINATE, SubIndication.NO_POE)
    when = archive_pki.cert("ar-tsa1").not_valid_after - timedelta(days=1)
    renewed = vbsign.extend(lta, renew=True, tsa=archive_pki.timestamper(when, "tsa2"), trust=roots,
                            services=svc(when), clock=lambda: when, content=CONTENT).data  # fmt: skip
    report = _verify(renewed, roots, when + 12 * YEAR)
    assert report.indication is Indication.TOTAL_PASSED, report.signatures[0].findings
    assert report.signatures[0].validation_time == T0
