"""``sign_many(processes=N)``: worker processes give the same outcomes as one process —
statuses, outputs that verify, per-file errors with their class, ``on_result`` in the parent
for every file — with a TSA and revocation over real HTTP (issue 20)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import vbsign
from vbsign.api.batch import FileStatus
from vbsign.pki.validation import Services

pytestmark = pytest.mark.skipif(
    "fork" not in __import__("multiprocessing").get_all_start_methods(), reason="no fork on this platform"
)


def sign_both_ways(workdir: str, tsa_url: str) -> dict[str, Any]:
    """In a fresh process (one thread, so the pool may fork): the batch with 1 and with 2
    worker processes; outcomes, ``on_result`` names and the worker pids seen."""
    import os

    base = Path(workdir)
    src = base / "in"
    roots = [base / "pki" / "roots.pem"]
    services = Services(online=True, timeout=10)
    out: dict[str, Any] = {}
    for processes in (1, 2):
        seen: list[str] = []
        with vbsign.Signer(base / "pki" / "person.p12", passphrase="pw", trust=roots, level="B-LT",
                           tsa=tsa_url, services=services) as signer:  # fmt: skip
            target = base / f"out{processes}"
            result = signer.sign_many(src, target, processes=processes, on_result=lambda r, seen=seen: seen.append(r.source.name))
        files = [(f.source.name, f.status.name, type(f.error).__name__) for f in result.files]
        verdicts = []
        for f in result.signed:
            rep = vbsign.verify(f.output, trust=roots, services=services)
            verdicts.append((f.source.name, rep.indication.name, f.result.level if f.result else None))
        shutil.rmtree(target)
        out[str(processes)] = {"files": files, "seen": sorted(seen), "verdicts": sorted(verdicts)}
    out["parent"] = os.getpid()
    return out


def test_processes_sign_like_one_process(tmp_path: Path, served_pki: Any, sample_pdf: bytes) -> None:
    import json
    import subprocess
    import sys

    from vbsign.testpki.export import write_pki

    pki, port = served_pki.pki, served_pki.port
    write_pki(tmp_path / "pki", port=port, passphrase="pw")
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        (src / f"doc{i}.pdf").write_bytes(sample_pdf)
    (src / "broken.pdf").write_bytes(b"%PDF-1.7\nnot really a pdf")
    # the pytest worker has threads of its own (xdist), so the library would rightly refuse
    # to fork there: the batch runs in a fresh single-threaded interpreter
    code = (
        "import json, sys; from tests.api.test_batch_processes import sign_both_ways; "
        "print(json.dumps(sign_both_ways(sys.argv[1], sys.argv[2])))"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path), pki.tsa_url], cwd=root, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    one, two = got["1"], got["2"]
    assert one["files"] == two["files"]
    assert [s for _, s, _ in two["files"]].count(FileStatus.SIGNED.name) == 3
    assert {n: s for n, s, _ in two["files"]}["broken.pdf"] == FileStatus.FAILED.name
    assert one["seen"] == two["seen"] == sorted(p.name for p in src.iterdir())
    assert one["verdicts"] == two["verdicts"]
    assert all(ind == "TOTAL_PASSED" and level == "B-LT" for _, ind, level in two["verdicts"])
