"""Usage and year-end reports: 3 waves / 12 units / one year of events, rendered to PDF
(text checked with pdftotext, charts with pdfimages), HTML, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from vbsign.model.events import AuditEvent
from vbsign.registry.periods import parse_period
from vbsign.registry.reports import render_report

YEAR = 2026
UNITS = 12


def _cert(ca_key: Any, issuer: Any, cn: str, ou: str, uid: str) -> Any:
    from asn1crypto import x509
    from cryptography import x509 as pyca
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    subject = pyca.Name(
        [
            pyca.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            pyca.NameAttribute(NameOID.ORGANIZATION_NAME, "Bộ Khoa học và Công nghệ"),
            pyca.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou),
            pyca.NameAttribute(NameOID.COMMON_NAME, cn),
            pyca.NameAttribute(NameOID.USER_ID, uid),
        ]
    )
    start = datetime(YEAR - 1, 12, 1, tzinfo=UTC)
    c = (
        pyca.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(ec.generate_private_key(ec.SECP256R1()).public_key())
        .serial_number(pyca.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=3 * 365))
        .sign(ca_key, hashes.SHA256())
    )
    return x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))


def expected(i: int) -> dict[str, int]:
    """Figures of unit ``i`` (1..12): every unit differs."""
    docs = 10 * i + 3
    sealed = docs - docs // 4
    verified = 2 * docs
    failed = len([d for d in range(docs) if d % 7 == 0])
    return {"docs": docs, "signed": docs + sealed, "verified": verified, "failed": failed, "both": sealed}


def seed_year(reg: Any, pki: Any) -> None:
    from cryptography import x509 as pyca
    from cryptography.hazmat.primitives import serialization

    reg.set_settings({"agency": "Bộ Khoa học và Công nghệ", "office": "Trung tâm Công nghệ thông tin",
                      "locality": "Hà Nội", "signer_title": "Giám đốc"})
    for w, (name, q) in enumerate((("Trung tâm CNTT", (1, 6)), ("Văn phòng Bộ", (7, 9)), ("Các đơn vị", (10, 12))), 1):
        reg.add_wave(w, name, starts_on=date(YEAR, q[0], 1), ends_on=date(YEAR, q[1], 28))
    reg.add_unit("BO", "Bộ Khoa học và Công nghệ", requires_seal=False)
    ca_key = serialization.load_der_private_key(pki.private_key("gov-ca").dump(), None)
    issuer = pyca.load_der_x509_certificate(pki.cert("gov-ca").dump()).subject
    certs = []
    for i in range(1, UNITS + 1):
        code, name = f"U{i:02d}", f"Đơn vị số {i:02d}"
        reg.add_unit(code, name, parent="BO", wave=1 + (i - 1) // 4)
        reg.add_subscriber(name, code, kind="organisation", uid=f"MST:01000{i:05d}")
        certs.append(_cert(ca_key, issuer, name, name, f"MST:01000{i:05d}"))
        for j in range(2):
            reg.add_subscriber(f"Chuyên viên {i:02d}-{j}", code, uid=f"CCCD:0010900{i:03d}{j:02d}")
            certs.append(_cert(ca_key, issuer, f"Chuyên viên {i:02d}-{j}", name, f"CCCD:0010900{i:03d}{j:02d}"))
    result = reg.import_certificates(certs)
    assert len(result.matched) == 3 * UNITS
    by_unit: dict[str, dict[str, str]] = {}
    for c in reg.list_certificates():
        kind = "seal" if c.subscriber_name and c.subscriber_name.startswith("Đơn vị") else c.subscriber_name[-1]  # type: ignore[index]
        by_unit.setdefault(c.unit_code or "", {})[kind] = c.fingerprint
    events: list[AuditEvent] = []
    for i in range(1, UNITS + 1):
        code = f"U{i:02d}"
        fps = by_unit[code]
        for d in range(expected(i)["docs"]):
            when = datetime(YEAR, 1 + d % 12, 1 + d % 27, 2, tzinfo=UTC)
            doc = f"{code}-{d:04d}"
            events.append(AuditEvent("sign", f"{i:02x}{d:062x}", document_id=doc, verdict="SIGNED",
                                     certificate_fingerprints=(fps[str(d % 2)],), time=when))
            if d >= expected(i)["docs"] // 4:  # about 3 documents in 4 also get the unit's seal
                events.append(AuditEvent("sign", f"{i:02x}{d:061x}f", document_id=doc, verdict="SIGNED",
                                         certificate_fingerprints=(fps["seal"],), time=when + timedelta(minutes=5)))
            for k in range(2):
                verdict = "TOTAL-FAILED" if (k == 0 and d % 7 == 0) else "TOTAL-PASSED"
                events.append(AuditEvent("verify", f"{i:02x}{d:061x}f", document_id=doc, verdict=verdict, unit=code,
                                         certificate_fingerprints=(fps["seal"],), time=when + timedelta(hours=1 + k)))
    reg.record_events(events)
    reg.add_training("Tập huấn sử dụng chữ ký số", date(YEAR, 4, 15), location="Hà Nội", wave=1,
                     attendees=[s.id for s in reg.list_subscribers() if s.unit_code in ("U01", "U02")])


@pytest.fixture
def year_registry(reg: Any, pki: Any) -> Any:
    seed_year(reg, pki)
    return reg


def _row(text: str, code: str) -> list[str]:
    line = next(ln for ln in text.splitlines() if f"({code})" in ln)
    return line.split(f"({code})", 1)[1].split()


def test_year_end_figures(year_registry: Any) -> None:
    report = year_registry.year_end_report(YEAR)
    units = {u.code: u for u in report.units}
    for i in range(1, UNITS + 1):
        e, u = expected(i), units[f"U{i:02d}"]
        assert (u.signed, u.verified, u.failed) == (e["signed"], e["verified"], e["failed"])
        assert (u.outgoing, u.outgoing_both) == (e["docs"], e["both"])
        assert (u.certificates_issued, u.certificates_active) == (3, 3)
        assert u.wave == 1 + (i - 1) // 4
    assert report.totals.signed == sum(expected(i)["signed"] for i in range(1, UNITS + 1))
    waves = {w.number: w for w in report.waves}
    assert [w.units for w in report.waves] == [["U01", "U02", "U03", "U04"], ["U05", "U06", "U07", "U08"],
                                               ["U09", "U10", "U11", "U12"]]
    assert (waves[1].registered, waves[1].issued, waves[1].trained, waves[1].active) == (12, 12, 6, 12)
    assert report.evaluation and report.outgoing_basis == "sign"
    # the summaries and the raw log agree (a period one day short is computed from the log)
    raw = year_registry.usage_report(parse_period(f"{YEAR}-01-01..{YEAR}-12-30"))
    assert [(u.code, u.signed, u.verified, u.outgoing, u.outgoing_both, u.certificates_active) for u in raw.units] == [
        (u.code, u.signed, u.verified, u.outgoing, u.outgoing_both, u.certificates_active) for u in report.units
    ]


@pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("pdfimages"), reason="poppler-utils missing")
def test_year_end_pdf_contains_every_unit_and_the_charts(year_registry: Any, tmp_path: Path) -> None:
    report = year_registry.year_end_report(YEAR)
    out = tmp_path / "tong-ket-2026.pdf"
    data = render_report(report, "pdf", out, lang="vi")
    assert out.read_bytes() == data and data.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "BÁO CÁO ĐÁNH GIÁ TÌNH HÌNH TRIỂN KHAI, SỬ DỤNG CHỮ KÝ SỐ CHUYÊN DÙNG" in text
    assert "Năm 2026" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    for i in range(1, UNITS + 1):
        e = expected(i)
        share = f"{e['both'] / e['docs'] * 100:.1f}%".replace(".", ",")
        assert _row(text, f"U{i:02d}") == [
            str(e["signed"]), str(e["verified"]), str(e["failed"]), "0", str(e["docs"]), str(e["both"]), share, "3", "3"
        ], f"U{i:02d}"
    assert report.audit_head_hash in text.replace("\n", "")
    images = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True, check=True).stdout
    charts = [ln.split() for ln in images.splitlines()[2:]]
    charts = [c for c in charts if c[2] == "image"]  # (soft masks are listed too)
    assert len(charts) == 3 and all(int(c[3]) > 600 and int(c[4]) > 300 for c in charts)


def test_html_json_csv(year_registry: Any) -> None:
    report = year_registry.year_end_report(YEAR)
    html = render_report(report, "html", lang="en").decode()
    assert html.startswith("<!DOCTYPE html>") and 'lang="en"' in html
    assert html.count("data:image/png;base64,") == 3 and "Đơn vị số 12 (U12)" in html
    assert "http://" not in html and "https://" not in html  # self-contained
    data = json.loads(render_report(report, "json"))
    assert data["schema"] == "vbsign.registry.usage-report/1" and data["kind"] == "year-end"
    assert [u["code"] for u in data["units"]][:2] == ["BO", "U01"] and data["totals"]["signed"] == report.totals.signed
    raw = render_report(report, "csv", lang="vi")
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Mã đơn vị", "Đơn vị", "Lượt ký số"]
    u03 = next(r for r in rows if r[0] == "U03")
    assert u03[2:4] == [str(expected(3)["signed"]), str(expected(3)["verified"])]
    assert rows[-1][0] == "TOTAL"


def test_usage_report_for_a_month_and_bad_periods(year_registry: Any) -> None:
    from vbsign.registry.errors import RegistryError

    may = year_registry.usage_report(parse_period(f"{YEAR}-05"))
    assert 0 < may.totals.signed < year_registry.year_end_report(YEAR).totals.signed
    assert len(may.trend) == 31 and may.period.label.vi == "Tháng 05/2026"
    assert parse_period("2026-Q3").label.vi == "Quý III năm 2026" and parse_period("2026-h1").end == date(2026, 6, 30)
    for bad in ("2026-13", "26", "2026-Q5", "2026-06-30..2026-01-01", "năm ngoái"):
        with pytest.raises(RegistryError) as err:
            parse_period(bad)
        assert "2026-Q3" in err.value.message_vi
    with pytest.raises(RegistryError):
        render_report(may, "docx")
