"""Smaller review findings: .pdf that is not a PDF, policy list --json, testpki port in use, registry output."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from tests.cli.helpers import run_vbsign, sign_args


def test_damaged_pdf_is_not_silently_cades(tmp_path: Path, pki_dir: Path) -> None:
    for name, data in (("rỗng.pdf", b""), ("hỏng.pdf", b"\x00garbage" * 100)):
        src = tmp_path / name
        src.write_bytes(data)
        out = tmp_path / ("out-" + name)
        proc = run_vbsign("sign", str(src), "-o", str(out), *sign_args(pki_dir))
        assert proc.returncode == 3, proc.stdout + proc.stderr
        assert "không phải PDF" in proc.stderr and "--format cades" in proc.stderr
        assert not out.exists()
    proc = run_vbsign("sign", str(tmp_path / "hỏng.pdf"), "-o", str(tmp_path / "x"), *sign_args(pki_dir), lang="en")
    assert "is not a PDF" in proc.stderr
    # explicitly asked for: fine
    proc = run_vbsign("sign", str(tmp_path / "hỏng.pdf"), "--format", "cades", *sign_args(pki_dir))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "hỏng.pdf.p7s").is_file()


def test_policy_list_json() -> None:
    proc = run_vbsign("policy", "list", "--json")
    assert proc.returncode == 0
    rows = json.loads(proc.stdout)
    names = {r["name"] for r in rows}
    assert {"tt41", "cdcv", "public", "auto"} <= names
    assert all(r["title_vi"] and r["title_en"] for r in rows)


def test_testpki_serve_port_in_use(tmp_path: Path, pki_dir: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = str(s.getsockname()[1])
        for lang, text in (("vi", "Không mở được cổng"), ("en", "Cannot listen on")):
            proc = run_vbsign("testpki", "serve", str(pki_dir), "--port", port, lang=lang)
            assert proc.returncode == 3, proc.stderr
            assert text in proc.stderr
            assert "Port " not in proc.stderr  # werkzeug's own English hint is not shown


def test_year_end_report_without_waves_is_quiet(tmp_path: Path) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'r.db'}"]
    assert run_vbsign("registry", *db, "init").returncode == 0
    proc = run_vbsign("registry", *db, "report", "year-end", "--period", "2026", "--out", str(tmp_path / "r.pdf"))
    assert proc.returncode == 0, proc.stderr
    assert "Warning" not in proc.stderr
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")


def test_registry_expired_certificate_not_shown_in_effect(tmp_path: Path, pki_dir: Path) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'r.db'}"]
    assert run_vbsign("registry", *db, "init").returncode == 0
    assert run_vbsign("registry", *db, "cert", "import", str(pki_dir / "expired.cert.pem")).returncode == 0
    proc = run_vbsign("registry", *db, "--today", "2026-06-01", "cert", "list")
    line = next(ln for ln in proc.stdout.splitlines() if "Bùi Văn Hết" in ln)
    assert "hết hạn" in line and "hiệu lực" not in line
    proc = run_vbsign("registry", *db, "--today", "2024-06-01", "cert", "list", lang="en")
    line = next(ln for ln in proc.stdout.splitlines() if "Bùi Văn Hết" in ln)
    assert " active" in line
