"""``sign_many(processes=N)``: worker processes give the same outcomes as one process —
statuses, outputs that verify, per-file errors with their class, ``on_result`` in the parent
for every file — with a TSA and revocation over real HTTP (issue 20)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import vbsign
from vbsign.api.batch import FileStatus, pool_available
from vbsign.pki.validation import Services

pytestmark = pytest.mark.skipif(not pool_available(), reason="no fork on this platform")


def test_processes_sign_like_one_process(tmp_path: Path, served_pki: Any, sample_pdf: bytes) -> None:
    from vbsign.testpki.export import write_pki

    pki, port = served_pki.pki, served_pki.port
    write_pki(tmp_path / "pki", port=port, passphrase="pw")
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        (src / f"doc{i}.pdf").write_bytes(sample_pdf)
    (src / "broken.pdf").write_bytes(b"%PDF-1.7\nnot really a pdf")
    services = Services(online=True, timeout=10)
    seen: dict[int, list[str]] = {}
    outcomes = {}
    for processes in (1, 2):
        seen[processes] = []
        with vbsign.Signer(tmp_path / "pki" / "person.p12", passphrase="pw", trust=pki.roots, level="B-LT",
                           tsa=pki.tsa_url, services=services) as signer:  # fmt: skip
            out = tmp_path / f"out{processes}"
            result = signer.sign_many(
                src, out, processes=processes, on_result=lambda r, p=processes: seen[p].append(r.source.name)
            )
        outcomes[processes] = [(f.source.name, f.status, type(f.error).__name__) for f in result.files]
        for f in result.signed:
            rep = vbsign.verify(f.output, trust=pki.roots, services=services)
            assert rep.indication is vbsign.Indication.TOTAL_PASSED, (processes, f.source.name, rep.indication)
            assert f.result is not None and f.result.level == "B-LT"
        shutil.rmtree(out)
    assert outcomes[1] == outcomes[2]
    assert [s for _, s, _ in outcomes[2]].count(FileStatus.SIGNED) == 3
    assert dict((n, s) for n, s, _ in outcomes[2])["broken.pdf"] is FileStatus.FAILED
    assert sorted(seen[1]) == sorted(seen[2]) == sorted(p.name for p in src.iterdir())
