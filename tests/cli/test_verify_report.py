"""``vbsign verify/validate FILE --format html|pdf -o REPORT`` (the README's acceptance)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

VB = [sys.executable, "-m", "vbsign.cli.main"]
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) missing")


def run(*args: str, cwd: Path, empty_trust: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "VBSIGN_TRUST_DIR": str(empty_trust)}
    env.pop("VBSIGN_LANG", None)
    return subprocess.run([*VB, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def signers(demo_root: Path) -> list[tuple[str, str]]:
    report = json.loads((demo_root / "demo-out" / "report.json").read_text("utf-8"))
    from datetime import datetime

    from vbsign._core.timefmt import format_vn_time

    return [
        (s["signer"]["subject_fields"]["common_name"], format_vn_time(datetime.fromisoformat(s["signing_time"].replace("Z", "+00:00"))))
        for s in report["signatures"]
    ]


def test_acceptance_pdf_report(demo_root: Path, tmp_path: Path) -> None:
    """``vbsign verify demo-out/signed.pdf --format pdf -o r.pdf``: pdftotext shows the
    verdict, both signers and their signing times, in Vietnamese."""
    proc = run("verify", "demo-out/signed.pdf", "--format", "pdf", "-o", "r.pdf", cwd=demo_root, empty_trust=tmp_path)
    # no trust anchor configured: the verdict is "not established", said in Vietnamese
    assert proc.returncode == 2, proc.stderr
    text = subprocess.run(["pdftotext", "-layout", str(demo_root / "r.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert "Kết luận" in text and "CHƯA XÁC ĐỊNH" in text
    for name, when in signers(demo_root):
        assert name in text and when in text
    assert "r.pdf" in proc.stderr  # where the report went


def test_trusted_pdf_and_html_reports(demo_root: Path, tmp_path: Path) -> None:
    trust = "demo-out/pki/roots.pem"
    proc = run("verify", "demo-out/signed.pdf", "--trust", trust, "--offline", "--format", "pdf", "-o", str(tmp_path / "ok.pdf"), cwd=demo_root, empty_trust=tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = subprocess.run(["pdftotext", str(tmp_path / "ok.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert "HỢP LỆ" in text and "Trang 1, các ô chữ ký được viền màu" in text
    proc = run("verify", "demo-out/signed.pdf", "--trust", trust, "--offline", "--format", "html", "-o", str(tmp_path / "ok.html"), "--lang", "en", cwd=demo_root, empty_trust=tmp_path)
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "ok.html").read_text("utf-8")
    assert '<html lang="en">' in html and ">VALID<" in html
    for name, when in signers(demo_root):
        assert name in html and when in html


def test_validate_html_to_stdout_and_several_files(demo_root: Path, tmp_path: Path) -> None:
    proc = run("validate", "demo-out/signed.pdf", "--policy", "demo-out/pki/policy-test.toml", "--trust", "demo-out/pki/roots.pem", "--offline", "--format", "html", cwd=demo_root, empty_trust=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("<!DOCTYPE html>") and "Thẩm định theo quy định: <span class=\"policy-status\">ĐẠT</span>" in proc.stdout
    out_dir = tmp_path / "reports"
    shutil.copy(demo_root / "demo-out" / "signed.pdf", tmp_path / "second.pdf")
    proc = run("verify", "demo-out/signed.pdf", str(tmp_path / "second.pdf"), "--format", "html", "-o", str(out_dir), cwd=demo_root, empty_trust=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert sorted(p.name for p in out_dir.iterdir()) == ["second.pdf.report.html", "signed.pdf.report.html"]


def test_output_without_a_human_format_is_refused(demo_root: Path, tmp_path: Path) -> None:
    proc = run("verify", "demo-out/signed.pdf", "-o", str(tmp_path / "x.html"), cwd=demo_root, empty_trust=tmp_path)
    assert proc.returncode == 3 and "--format html" in proc.stderr
    proc = run("verify", "demo-out/signed.pdf", str(tmp_path / "x.pdf"), "--format", "pdf", cwd=demo_root, empty_trust=tmp_path)
    assert proc.returncode == 3 and "-o" in proc.stderr
    assert not (tmp_path / "x.html").exists()
