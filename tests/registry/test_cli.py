"""``vbsign registry …`` end to end (in-process CLI on a real SQLite file)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from vbsign.cli.main import main


class CLI:
    def __init__(self, db: str, capsys: pytest.CaptureFixture[str]) -> None:
        self.db = db
        self.capsys = capsys

    def __call__(self, *args: str, code: int = 0, lang: str = "vi") -> tuple[str, str]:
        self.capsys.readouterr()
        try:
            main(["--lang", lang, "registry", "--db", self.db, *args])
            rc = 0
        except SystemExit as e:
            rc = int(e.code or 0)
        out, err = self.capsys.readouterr()
        assert rc == code, f"exit {rc} != {code}\nstdout: {out}\nstderr: {err}"
        return out, err

    def json(self, *args: str) -> Any:
        out, _ = self(*args, "--json")
        data = json.loads(out)
        assert isinstance(data, list)
        return data


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> CLI:
    monkeypatch.delenv("VBSIGN_REGISTRY_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    return CLI(f"sqlite:///{tmp_path / 'cli.sqlite3'}", capsys)


@pytest.mark.slow
def test_cli_end_to_end(cli: CLI, pki_dir: Path, tmp_path: Path) -> None:
    out, _ = cli("init", "--agency", "Bộ Khoa học và Công nghệ", "--office", "Trung tâm Công nghệ thông tin",
                 "--locality", "Hà Nội")
    assert "sẵn sàng" in out
    cli("wave", "add", "1", "Trung tâm CNTT", "--from", "2026-01-01", "--to", "30/06/2026")
    cli("unit", "add", "BO", "Bộ Khoa học và Công nghệ", "--wave", "1", "--no-seal")
    cli("unit", "add", "CDS", "Cục Chuyển đổi số quốc gia", "--parent", "BO")
    cli("subscriber", "add", "Nguyễn Văn A", "--unit", "CDS", "--title", "Phó Cục trưởng")
    cli("subscriber", "add", "Cục Chuyển đổi số quốc gia", "--unit", "CDS", "--kind", "organisation")
    out, _ = cli("cert", "import", str(pki_dir))
    assert "Nguyễn Văn A" in out and "Mới:" in out
    certs = cli.json("cert", "list")
    mine = {c["subject_cn"]: c for c in certs if c["subscriber_id"]}
    assert set(mine) == {"Nguyễn Văn A", "CỤC CHUYỂN ĐỔI SỐ QUỐC GIA"}
    assert len(cli.json("cert", "list", "--ca")) > len(certs)
    # a fixed "today": the 5-year test certificates expire on 01/01/2030
    out, _ = cli("--today", "2029-12-10", "cert", "expiring", "--days", "30", "--json")
    soon = json.loads(out)
    assert {"Nguyễn Văn A", "CỤC CHUYỂN ĐỔI SỐ QUỐC GIA"} <= {c["subject_cn"] for c in soon}
    out, _ = cli("--today", "2029-12-10", "cert", "expiring")
    assert "22" in out and "01/01/2030" in out
    alerts = json.loads(cli("--today", "2029-12-10", "alerts", "--json")[0])
    assert any(a["code"] == "CERT_EXPIRING" and a["subscriber"] == "Nguyễn Văn A" for a in alerts)
    # a request refused with an explanation, in both languages (exit 3)
    cli("request", "new", "new_person", "--subscriber", "1", "--reference", "12/TTCNTT", "--date", "2026-03-02")
    _, err = cli("request", "set", "1", "completed", code=3)
    assert "Đang lập hồ sơ" in err and "Hoàn thành" in err and "submitted" in err
    _, err = cli("request", "set", "1", "completed", code=3, lang="en")
    assert 'cannot go from "Draft" to "Completed"' in err
    cli("request", "set", "1", "submitted", "--date", "2026-03-05")
    (shown,) = cli.json("request", "show", "1")
    assert [h["to"] for h in shown["history"]] == ["draft", "submitted"]
    pdf = tmp_path / "ds.pdf"
    cli("request", "document", "registration", "--out", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    out, _ = cli("request", "document", "registration", "--format", "csv")
    assert "Nguyễn Văn A" in out and "Mẫu 01" in out
    # hand-over of the agency's token (its key belongs to the organisation subscriber #2)
    cli("token", "add", "SEAL-1", "--model", "SafeNet eToken 5110", "--owner", "2")
    bb = tmp_path / "bb.pdf"
    cli("handover", "add", "SEAL-1", "--reason", "issue", "--to", "Văn thư Bộ", "--date", "2026-04-10", "--out", str(bb))
    assert bb.read_bytes().startswith(b"%PDF")
    _, err = cli("handover", "add", "SEAL-1", "--reason", "custody", "--to", "X", code=3)
    assert "văn bản cho phép" in err
    cli("handover", "add", "SEAL-1", "--reason", "custody", "--to", "X", "--permission", "15/QĐ-BKHCN")
    assert [h["reason"] for h in cli.json("handover", "list")] == ["issue", "custody"]
    assert cli.json("token", "list")[0]["holder_name"] == "X"
    cli("holiday", "add", "2026-12-07", "Nghỉ bù")
    assert cli.json("holiday", "list", "--year", "2026")[0]["day"] == "2026-12-07"
    cli("training", "add", "Tập huấn", "--date", "2026-04-15", "--attendee", "1", "--wave", "1")
    assert cli.json("training", "list")[0]["attendees"] == 1
    # reports
    out, _ = cli("report", "usage", "--period", "2026-Q2", "--format", "json")
    assert json.loads(out)["period"]["label_vi"] == "Quý II năm 2026"
    ye = tmp_path / "ye.pdf"
    cli("report", "year-end", "--period", "2026", "--out", str(ye))
    assert ye.read_bytes().startswith(b"%PDF")
    _, err = cli("report", "usage", "--period", "2026-Q7", code=3)
    assert "Kỳ báo cáo không hợp lệ" in err


def test_every_listing_prints_a_json_array(cli: CLI) -> None:
    cli("init")
    cli("unit", "add", "BO", "Bộ")
    for args in (("wave", "list"), ("unit", "list"), ("subscriber", "list"), ("cert", "list"), ("cert", "expiring"),
                 ("token", "list"), ("handover", "list"), ("training", "list"), ("holiday", "list"),
                 ("request", "list"), ("alerts",), ("audit", "list"), ("audit", "verify"), ("info",)):
        data = cli.json(*args)
        assert isinstance(data, list), args
    assert cli.json("unit", "list")[0]["code"] == "BO"


def test_audit_verify_names_the_edited_record(cli: CLI, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from vbsign.model.events import AuditEvent
    from vbsign.registry import Registry

    cli("init")
    with Registry.open(cli.db) as reg:
        reg.record_events([AuditEvent("verify", f"{i:064x}", document_id=f"CV-{i}", verdict="TOTAL-PASSED",
                                      time=datetime(2026, 6, 1, tzinfo=UTC)) for i in range(5)])
    out, _ = cli("audit", "verify")
    assert "toàn vẹn" in out and "5" in out
    db = sqlite3.connect(str(tmp_path / "cli.sqlite3"))
    db.execute("UPDATE audit_events SET verdict = 'TOTAL-FAILED' WHERE seq = 3")
    db.commit()
    db.close()
    out, _ = cli("audit", "verify", code=1)
    assert "#3" in out and "CV-2" in out and "đã bị sửa" in out
    (report,) = json.loads(cli("audit", "verify", "--json", code=1)[0])
    assert report["ok"] is False and report["problems"][0]["seq"] == 3


def test_uninitialised_database_is_explained(cli: CLI) -> None:
    _, err = cli("unit", "list", code=3)
    assert "vbsign registry init" in err
