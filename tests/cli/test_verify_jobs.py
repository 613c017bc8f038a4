"""``vbsign verify --jobs N`` (issue 20): several files verified by worker processes give the
same reports, in the same order, and the same exit code as ``--jobs 1`` — good, damaged and
unreadable files mixed."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

import vbsign
from vbsign import testpki
from vbsign.pki.validation import Services

pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")

T0 = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)
_VOLATILE = {"generated_at", "validation_time", "elapsed", "seconds"}


def _stable(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _stable(v) for k, v in x.items() if k not in _VOLATILE}
    if isinstance(x, list):
        return [_stable(v) for v in x]
    return x


def test_verify_jobs_gives_the_reports_of_one_process(tmp_path: Path, pki: testpki.TestPKI, sample_pdf: bytes) -> None:
    (tmp_path / "k.p12").write_bytes(pki.pkcs12("person", "pw"))
    (tmp_path / "roots.pem").write_bytes(testpki.pem_bundle(pki.roots))
    services = Services(online=False, fetcher_backend=pki.fetcher_backend(T0))
    with vbsign.Signer(tmp_path / "k.p12", passphrase="pw", trust=pki.roots, level="B-LT", tsa=pki.timestamper(T0),
                       services=services, clock=lambda: T0) as signer:  # fmt: skip
        signed = signer.sign(sample_pdf).data
    files = [tmp_path / "a.pdf", tmp_path / "tampered.pdf", tmp_path / "junk.pdf", tmp_path / "b.pdf"]
    files[0].write_bytes(signed)
    files[1].write_bytes(signed.replace(b"/Producer", b"/Producex", 1) if b"/Producer" in signed else signed[:-40])
    files[2].write_bytes(b"%PDF-1.7\nnot a document")
    files[3].write_bytes(signed)
    outputs = []
    for jobs in ("1", "2"):
        proc = subprocess.run(
            [sys.executable, "-W", "ignore", "-m", "vbsign.cli.main", "verify", "--offline", "--json",
             "--trust", str(tmp_path / "roots.pem"), "--jobs", jobs, *map(str, files)],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        outputs.append((proc.returncode, _stable(json.loads(proc.stdout))))
    assert outputs[0] == outputs[1]
    code, reports = outputs[1]
    assert code == 1  # the tampered file is invalid
    assert [r.get("indication") for r in reports][0] == "TOTAL-PASSED"
    assert reports[3]["indication"] == "TOTAL-PASSED"
    assert reports[2].get("indication") != "TOTAL-PASSED"  # a report or an error, never valid
