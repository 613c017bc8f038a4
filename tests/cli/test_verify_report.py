"""``vbsign verify/validate FILE --format html|pdf -o REPORT`` (the README's acceptance)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from vbsign._core.i18n import use_lang
from vbsign.cli.validate import validate_cmd
from vbsign.cli.verify import verify_cmd

VB = [sys.executable, "-m", "vbsign.cli.main"]
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) missing")


def run(*args: str, cwd: Path, empty_trust: Path) -> subprocess.CompletedProcess[str]:
    # none of the test process's VBSIGN_* settings: the command as a user runs it
    env = {k: v for k, v in os.environ.items() if not k.startswith("VBSIGN_")}
    env.update({"COLUMNS": "200", "VBSIGN_TRUST_DIR": str(empty_trust)})
    return subprocess.run([*VB, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def signers(demo_root: Path) -> list[tuple[str, str]]:
    report = json.loads((demo_root / "demo-out" / "report.json").read_text("utf-8"))
    from datetime import datetime

    from vbsign._core.timefmt import format_vn_time

    return [
        (s["signer"]["subject_fields"]["common_name"], format_vn_time(datetime.fromisoformat(s["signing_time"].replace("Z", "+00:00"))))
        for s in report["signatures"]
    ]


def pdf_words(path: Path) -> str:
    """The PDF's text in reading order, every run of white space one space (a table cell
    may wrap a long name or a time onto two lines)."""
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def test_acceptance_pdf_report(demo_root: Path, tmp_path: Path) -> None:
    """``vbsign verify demo-out/signed.pdf --format pdf -o r.pdf``: pdftotext shows the
    verdict, both signers and their signing times, in Vietnamese."""
    proc = run("verify", "demo-out/signed.pdf", "--format", "pdf", "-o", "r.pdf", cwd=demo_root, empty_trust=tmp_path)
    # no trust anchor configured: the verdict is "not established", said in Vietnamese
    assert proc.returncode == 2, proc.stderr
    text = pdf_words(demo_root / "r.pdf")
    assert "Kết luận" in text and "CHƯA XÁC ĐỊNH" in text
    for name, when in signers(demo_root):
        assert name in text, name
        assert when in text, when
    assert "r.pdf" in proc.stderr  # where the report went


def invoke(command: Any, *args: str, empty_trust: Path, lang: str | None = None) -> Result:
    """The subcommand in this process (click's CliRunner; the ``vbsign`` group, which turns
    on the process-wide speed-ups, is not run); output bytes in ``stdout_bytes``."""
    env = {"VBSIGN_TRUST_DIR": str(empty_trust), "VBSIGN_LANG": None, "COLUMNS": "200"}
    with use_lang(lang or "vi"):  # what the group's --lang sets (another test may have set it)
        return CliRunner().invoke(command, list(args), env=env, catch_exceptions=False)


def test_trusted_pdf_and_html_reports(demo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(demo_root)
    trust = "demo-out/pki/roots.pem"
    res = invoke(verify_cmd, "demo-out/signed.pdf", "--trust", trust, "--offline", "--format", "pdf", "-o", str(tmp_path / "ok.pdf"), empty_trust=tmp_path)
    assert res.exit_code == 0, res.output
    text = pdf_words(tmp_path / "ok.pdf")
    assert "HỢP LỆ" in text and "Trang 1, các ô chữ ký được viền màu" in text
    res = invoke(verify_cmd, "demo-out/signed.pdf", "--trust", trust, "--offline", "--format", "html", "-o", str(tmp_path / "ok.html"), empty_trust=tmp_path, lang="en")
    assert res.exit_code == 0, res.output
    html = (tmp_path / "ok.html").read_text("utf-8")
    assert '<html lang="en">' in html and ">VALID<" in html
    for name, when in signers(demo_root):
        assert name in html and when in html


def test_validate_html_to_stdout_and_several_files(demo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(demo_root)
    res = invoke(validate_cmd, "demo-out/signed.pdf", "--policy", "demo-out/pki/policy-test.toml", "--trust", "demo-out/pki/roots.pem", "--offline", "--format", "html", empty_trust=tmp_path)
    assert res.exit_code == 0, res.output
    out = res.stdout_bytes.decode("utf-8")
    assert out.startswith("<!DOCTYPE html>") and "Thẩm định theo quy định: <span class=\"policy-status\">ĐẠT</span>" in out
    out_dir = tmp_path / "reports"
    shutil.copy(demo_root / "demo-out" / "signed.pdf", tmp_path / "second.pdf")
    res = invoke(verify_cmd, "demo-out/signed.pdf", str(tmp_path / "second.pdf"), "--format", "html", "-o", str(out_dir), empty_trust=tmp_path)
    assert res.exit_code == 2, res.output
    assert sorted(p.name for p in out_dir.iterdir()) == ["second.pdf.report.html", "signed.pdf.report.html"]


def test_output_without_a_human_format_is_refused(demo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(demo_root)
    res = invoke(verify_cmd, "demo-out/signed.pdf", "-o", str(tmp_path / "x.html"), empty_trust=tmp_path)
    assert res.exit_code == 3 and "--format html" in res.output
    res = invoke(verify_cmd, "demo-out/signed.pdf", str(tmp_path / "x.pdf"), "--format", "pdf", empty_trust=tmp_path)
    assert res.exit_code == 3 and "-o" in res.output
    assert not (tmp_path / "x.html").exists()


def test_report_written_atomically(demo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The report replaces an old one by rename (a reader sees the old or the new file,
    never half of one); a failed run leaves the old report and no temporary file; the
    verified document is not touched."""
    monkeypatch.chdir(demo_root)
    source = demo_root / "demo-out" / "signed.pdf"
    before = source.read_bytes()
    target = tmp_path / "r.html"
    target.write_text("báo cáo cũ", "utf-8")
    old_inode = target.stat().st_ino
    keeper = os.open(target, os.O_RDONLY)  # a reader holding the old report keeps it whole
    try:
        res = invoke(verify_cmd, str(source), "--format", "html", "-o", str(target), empty_trust=tmp_path)
        assert res.exit_code == 2, res.output
        assert os.read(keeper, 100).decode("utf-8") == "báo cáo cũ"
    finally:
        os.close(keeper)
    assert target.stat().st_ino != old_inode and target.read_text("utf-8").startswith("<!DOCTYPE html>")
    new = target.read_bytes()
    bad = tmp_path / "not-signed.bin"
    bad.write_bytes(b"hello")
    res = invoke(verify_cmd, str(bad), "--format", "html", "-o", str(target), empty_trust=tmp_path)
    assert res.exit_code == 3
    assert target.read_bytes() == new
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-signed.bin", "r.html"]
    assert source.read_bytes() == before
