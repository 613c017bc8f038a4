"""Helpers for the CLI review regression tests: run ``vbsign`` in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

VB = [sys.executable, "-m", "vbsign.cli.main"]


def run_vbsign(*args: str, lang: str | None = None, env: dict[str, str] | None = None,
               cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    e = {**os.environ, "COLUMNS": "200", "PW": "vbsign-test", **(env or {})}
    e.pop("VBSIGN_LANG", None)
    if lang:
        e["VBSIGN_LANG"] = lang
    return subprocess.run([*VB, *args], capture_output=True, text=True, env=e, timeout=180, cwd=cwd)


def sign_args(pki_dir: Path) -> list[str]:
    """Options for a quick offline B-B signature with the test PKI's person.p12."""
    return ["--key", str(pki_dir / "person.p12"), "--passphrase-env", "PW", "--trust", str(pki_dir / "roots.pem"),
            "--level", "b-b", "--no-revocation-check"]
