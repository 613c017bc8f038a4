"""Helpers for the CLI tests: ``vbsign`` in-process (click's runner) or, where the process
itself is under test, in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests._fixtures.cli import Invocation, invoke

VB = [sys.executable, "-m", "vbsign.cli.main"]
#: what every run sees: a wide terminal, the test PKI's passphrase in $PW
_ENV = {"COLUMNS": "200", "PW": "vbsign-test"}


def run_vbsign(*args: str, lang: str | None = None, env: dict[str, str] | None = None) -> Invocation:
    """``vbsign ARGS`` in-process (click's runner); ``lang`` sets VBSIGN_LANG (unset otherwise)."""
    return invoke(list(args), env={**_ENV, **(env or {}), "VBSIGN_LANG": lang})


def run_vbsign_process(*args: str, lang: str | None = None, env: dict[str, str] | None = None,
                       cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``vbsign ARGS`` in a fresh interpreter (for what only a new process shows)."""
    e = {**os.environ, **_ENV, **(env or {})}
    e.pop("VBSIGN_LANG", None)
    if lang:
        e["VBSIGN_LANG"] = lang
    return subprocess.run([*VB, *args], capture_output=True, text=True, env=e, timeout=180, cwd=cwd)


def sign_args(pki_dir: Path) -> list[str]:
    """Options for a quick offline B-B signature with the test PKI's person.p12."""
    return ["--key", str(pki_dir / "person.p12"), "--passphrase-env", "PW", "--trust", str(pki_dir / "roots.pem"),
            "--level", "b-b", "--no-revocation-check"]
