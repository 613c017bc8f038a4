"""Archive watch (issue 18): ``scan_archive`` dates match the TSA certificates; ``renew_archive``
renews the due documents only, into another directory."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import T0
from vbsign.api.archive import renew_archive, scan_archive
from vbsign.pki.validation import Services


def _services(pki, at: datetime) -> Services:  # type: ignore[no-untyped-def]
    return Services(online=False, fetcher_backend=pki.fetcher_backend(at))


@pytest.fixture
def archive_dir(tmp_path: Path, archive_lta: bytes, sample_pdf: bytes) -> Path:
    d = tmp_path / "luu-tru"
    (d / "2026").mkdir(parents=True)
    (d / "2026" / "qd-01.pdf").write_bytes(archive_lta)
    (d / "unsigned.pdf").write_bytes(sample_pdf)
    (d / "notes.txt").write_text("không phải văn bản ký", encoding="utf-8")
    return d


def test_scan_lists_the_tsa_certificate_expiry(archive_pki, archive_dir: Path) -> None:  # type: ignore[no-untyped-def]
    roots = [archive_pki.cert("ar-root")]
    entries = scan_archive(archive_dir, trust=roots, now=T0 + timedelta(days=365), within_days=90)
    assert [e.path.name for e in entries] == ["qd-01.pdf", "unsigned.pdf"]  # .txt is not looked at
    signed, unsigned = entries
    tsa1 = archive_pki.cert("ar-tsa1")
    assert signed.level == "B-LTA" and signed.indication == "TOTAL-PASSED"
    assert signed.proof_holds_until == tsa1.not_valid_after  # TSA 1 expires before CA 1 and the root
    assert "Archive TSA 1" in (signed.limit or "")
    assert signed.newest_proof_time == T0 and not signed.renewal_due
    assert signed.days_left == (tsa1.not_valid_after - (T0 + timedelta(days=365))).days
    assert unsigned.indication == "NO_SIGNATURE_FOUND" and not unsigned.renewal_due
    # 60 days before TSA 1 expires, a 90-day horizon makes it due
    due = scan_archive(archive_dir, trust=roots, now=tsa1.not_valid_after - timedelta(days=60), within_days=90)
    assert due[0].renewal_due and due[0].to_dict()["proof_holds_until"] == tsa1.not_valid_after.isoformat()


def test_renew_archive_renews_due_documents_into_another_directory(archive_pki, archive_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    roots = [archive_pki.cert("ar-root")]
    when = archive_pki.cert("ar-tsa1").not_valid_after - timedelta(days=30)
    before = (archive_dir / "2026" / "qd-01.pdf").read_bytes()
    out = tmp_path / "renewed"
    items = renew_archive(
        archive_dir, out, tsa=archive_pki.timestamper(when, "tsa2"), trust=roots, within_days=90,
        services=_services(archive_pki, when), clock=lambda: when,
    )  # fmt: skip
    assert [(i.source.name, i.error) for i in items] == [("qd-01.pdf", None)]
    assert (archive_dir / "2026" / "qd-01.pdf").read_bytes() == before  # the original is untouched
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.pdf")) == ["2026/qd-01.pdf"]
    rescanned = scan_archive(out, trust=roots, now=when + timedelta(days=365 * 12))
    assert rescanned[0].indication == "TOTAL-PASSED"
    assert rescanned[0].proof_holds_until == archive_pki.cert("ar-tsa2").not_valid_after
    assert rescanned[0].newest_proof_time == when
