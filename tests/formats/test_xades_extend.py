"""XAdES augmentation (issue 18): B-B → B-T → B-LT → B-LTA with xadesv141:ArchiveTimeStamp,
renewal, what the archive timestamp protects, and past validation with the archive PKI."""

from __future__ import annotations

from datetime import timedelta

import pytest
from lxml import etree

import vbsign
from tests.conftest import PASSPHRASE, T0
from vbsign.formats.xades import constants as C
from vbsign.model.report import Indication, SubIndication
from vbsign.pki.validation import Services

XML = '<?xml version="1.0" encoding="UTF-8"?><QuyetDinh so="18"><NoiDung>Lưu trữ hồ sơ vĩnh viễn</NoiDung></QuyetDinh>'.encode()
OFFLINE = Services(online=False)
YEAR = timedelta(days=365)


def _extend(data: bytes, pki, services, tsa, **kw):  # type: ignore[no-untyped-def]
    return vbsign.extend(data, tsa=tsa, trust=pki.roots, services=services, clock=lambda: T0, **kw)


@pytest.fixture
def bb_xml(sign_as) -> bytes:  # type: ignore[no-untyped-def]
    return sign_as("person", XML, level="B-B", format="xml")


def test_step_by_step_each_level_verifies(bb_xml, pki, services, tsa) -> None:  # type: ignore[no-untyped-def]
    data, steps = bb_xml, []
    for level in ("b-t", "b-lt", "b-lta"):
        result = _extend(data, pki, services, tsa, level=level)
        assert (result.format, result.level_after) == ("xml", level.upper())
        report = vbsign.verify(result.data, trust=pki.roots, now=T0, services=services if level == "b-t" else OFFLINE)
        assert report.indication is Indication.TOTAL_PASSED, [s.findings for s in report.signatures]
        assert report.signatures[0].level == level.upper()
        steps.append(result.steps)
        data = result.data
    assert steps == [["signature-timestamp"], ["validation-data"], ["archive-timestamp"]]
    renewed = _extend(data, pki, services, tsa, level="b-lta", renew=True)
    assert renewed.steps == ["archive-timestamp-renewed"]
    sig = vbsign.verify(renewed.data, trust=pki.roots, now=T0, services=OFFLINE).signatures[0]
    assert sig.indication is Indication.TOTAL_PASSED and [a.intact for a in sig.archive_timestamps] == [True, True]


def test_archive_timestamp_protects_what_it_covers(bb_xml, pki, services, tsa) -> None:  # type: ignore[no-untyped-def]
    lta = _extend(bb_xml, pki, services, tsa, level="b-lta").data
    renewed = _extend(lta, pki, services, tsa, level="b-lta", renew=True).data
    root = etree.fromstring(renewed)
    first = next(root.iter(f"{{{C.XADES141}}}ArchiveTimeStamp"))
    first.getparent().remove(first)  # the second one covered it
    sig = vbsign.verify(etree.tostring(root), trust=pki.roots, now=T0, services=OFFLINE).signatures[0]
    assert [a.intact for a in sig.archive_timestamps] == [False] and sig.has_finding("ARCHIVE_TIMESTAMP_INVALID")


def test_past_validation_with_renewal(archive_pki, archive_key) -> None:  # type: ignore[no-untyped-def]
    roots = [archive_pki.cert("ar-root")]

    def svc(at):  # type: ignore[no-untyped-def]
        return Services(online=False, fetcher_backend=archive_pki.fetcher_backend(at))

    signed = vbsign.sign(XML, key=archive_key, passphrase=PASSPHRASE, trust=roots, level="B-LT", format="xml",
                         tsa=archive_pki.timestamper(T0, "tsa1"), services=svc(T0), clock=lambda: T0).data  # fmt: skip
    lta = vbsign.extend(signed, level="b-lta", tsa=archive_pki.timestamper(T0, "tsa1"), trust=roots,
                        services=svc(T0), clock=lambda: T0).data  # fmt: skip

    def verify(data: bytes, when):  # type: ignore[no-untyped-def]
        return vbsign.verify(data, trust=roots, now=when, services=OFFLINE)

    assert verify(lta, T0 + YEAR).indication is Indication.TOTAL_PASSED
    stale = verify(lta, T0 + 6 * YEAR)
    assert (stale.indication, stale.sub_indication) == (Indication.INDETERMINATE, SubIndication.NO_POE)
    when = archive_pki.cert("ar-tsa1").not_valid_after - timedelta(days=1)
    renewed = vbsign.extend(lta, renew=True, tsa=archive_pki.timestamper(when, "tsa2"), trust=roots,
                            services=svc(when), clock=lambda: when).data  # fmt: skip
    report = verify(renewed, when + 12 * YEAR)
    assert report.indication is Indication.TOTAL_PASSED, report.signatures[0].findings
    assert report.signatures[0].validation_time == T0
