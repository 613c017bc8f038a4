"""The test PKI's README.txt shows a validate command that works, as written (with --trust)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from vbsign.cli.main import main


def run(argv: list[str]) -> int:
    try:
        return int(main(argv) or 0)
    except SystemExit as exit_:
        return int(exit_.code or 0)


def test_readme_validate_command_reports_compliant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VBSIGN_TRUST_DIR", str(tmp_path / "empty-trust"))
    assert run(["demo", "--out", "demo"]) == 0
    readme = (tmp_path / "demo" / "pki" / "README.txt").read_text(encoding="utf-8")
    shown = re.search(r"^\s*(vbsign validate FILE .*)$", readme, re.M)
    assert shown is not None and "--trust" in shown.group(1)
    argv = shlex.split(shown.group(1).replace("FILE", "demo/signed.pdf"))
    assert run(argv[1:]) == 0  # ĐẠT: the configured test roots, and the same roots as anchors
