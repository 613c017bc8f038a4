"""The report model: JSON round trip, versioned schema derived from the code, renderings."""

from __future__ import annotations

import json

import pytest

from vbsign.model.render import render_text
from vbsign.model.report import SCHEMA_ID, Report, json_schema


@pytest.fixture(scope="module")
def demo_report(pki, sample_pdf):  # type: ignore[no-untyped-def]
    from datetime import datetime, timezone

    from vbsign import api
    from vbsign.pki.validation import Services

    t0 = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)
    key = api.open_key  # noqa: F841
    import tempfile
    from pathlib import Path

    d = Path(tempfile.mkdtemp())
    (d / "p.p12").write_bytes(pki.pkcs12("person", "x"))
    (d / "a.p12").write_bytes(pki.pkcs12("agency", "x"))
    svc = Services(online=False, fetcher_backend=pki.fetcher_backend(t0))
    kw = dict(passphrase="x", trust=pki.roots, tsa=pki.timestamper(t0), services=svc, clock=lambda: t0)
    data = api.sign(sample_pdf, key=d / "p.p12", level="B-LTA", **kw).data
    data = api.sign(data, key=d / "a.p12", **kw).data
    return api.verify(data, trust=pki.roots, now=t0, services=Services(online=False))


def test_json_roundtrip(demo_report):
    text = demo_report.to_json()
    data = json.loads(text)
    assert data["schema"] == SCHEMA_ID
    assert data["indication"] == "TOTAL-PASSED"
    assert "Nguyễn Văn A" in text  # UTF-8, not \\u escapes
    again = Report.from_dict(data)
    assert again.to_dict() | {"generated_at": None} == data | {"generated_at": None}


def test_json_matches_schema(demo_report):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(demo_report.to_dict(), schema)


def test_schema_rejects_unknown_fields(demo_report):
    jsonschema = pytest.importorskip("jsonschema")
    data = demo_report.to_dict()
    data["signatures"][0]["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, json_schema())


def test_text_rendering_vi_and_en(demo_report):
    vi = render_text(demo_report, "vi")
    en = render_text(demo_report, "en")
    for needle in ("HỢP LỆ", "Người ký: Nguyễn Văn A", "Tổ chức cấp chứng thư: CA phục vụ các cơ quan Nhà nước G2 (TEST)",
                   "+07:00", "Toàn vẹn: nguyên vẹn", "Thời hạn chứng thư"):
        assert needle in vi
    for needle in ("VALID", "Signer: Nguyễn Văn A", "Issuing CA", "Integrity: intact", "Certificate validity"):
        assert needle in en
