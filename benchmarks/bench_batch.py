"""Benchmark: batch signing and bulk verification, one worker vs N (issue 20).

* sign: ``Signer.sign_many`` over N_FILES 1-page PDFs (PAdES B-B, software RSA-2048, pre-signing
  certificate check with revocation from the in-process test PKI), with one worker and with
  ``--workers`` worker processes (``processes=`` of ``sign_many``; on a version without it, the
  N-worker figure is ``concurrency=N`` in one process and is marked so);
* verify: the ``vbsign verify`` command over the same N_FILES B-LT PDFs (offline: revocation
  data embedded, so the verdict is TOTAL-PASSED without a network), ``--jobs 1`` vs
  ``--jobs N`` (on a version without ``--jobs``: only the one-worker figure).

The modes alternate in every round (verification: the first half of the rounds, at least
one); prints min and median seconds per batch and the speed-up
of N workers over one (median / median). The machine is shared: the load average is printed
before and after.

Usage: python benchmarks/bench_batch.py [N_FILES] [ROUNDS] [--workers=N]   (default 500, 3, CPUs)
"""

from __future__ import annotations

import inspect
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path


def _sign_batch(signer: object, src: Path, out: Path, workers: int, has_processes: bool) -> float:
    shutil.rmtree(out, ignore_errors=True)
    kwargs = {"processes": workers} if has_processes else {"concurrency": workers}
    t = time.perf_counter()
    result = signer.sign_many(src, out, **kwargs)  # type: ignore[attr-defined]
    took = time.perf_counter() - t
    assert result.ok and len(result.files) == len(list(src.glob("*.pdf"))), result.summary().en
    return took


def _verify_batch(files: list[Path], roots: Path, workers: int, has_jobs: bool) -> float:
    cmd = [str(Path(sys.executable).with_name("vbsign")), "verify", "--offline", "--trust", str(roots), "--json"]
    if has_jobs:
        cmd += ["--jobs", str(workers)]
    t = time.perf_counter()
    proc = subprocess.run(cmd + [str(f) for f in files], capture_output=True, text=True)
    took = time.perf_counter() - t
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.count("TOTAL-PASSED") >= len(files), proc.stdout[-2000:]
    return took


def _line(label: str, one: list[float], many: list[float], workers: int, how: str) -> str:
    speedup = statistics.median(one) / statistics.median(many)
    return (
        f"{label:<7} 1 worker {min(one):6.2f} / {statistics.median(one):6.2f} s   "
        f"{workers} {how} {min(many):6.2f} / {statistics.median(many):6.2f} s   speed-up {speedup:.2f}x"
    )


def main(n_files: int = 500, rounds: int = 3, workers: int = 0) -> None:
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    import vbsign
    from vbsign import testpki
    from vbsign.pki.validation import Services
    from vbsign.testpki.samples import official_document_pdf

    workers = workers or os.cpu_count() or 2
    t0 = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)
    pki = testpki.load()
    tmp = Path(tempfile.mkdtemp(prefix="vbsign-bench-batch-"))
    (tmp / "person.p12").write_bytes(pki.pkcs12("person", "bench"))
    (tmp / "roots.pem").write_bytes(testpki.pem_bundle(pki.roots))
    src = tmp / "in"
    src.mkdir()
    pdf = official_document_pdf()
    for i in range(n_files):
        (src / f"doc{i:04d}.pdf").write_bytes(pdf)
    services = Services(online=False, fetcher_backend=pki.fetcher_backend(t0))
    signer = vbsign.Signer(tmp / "person.p12", passphrase="bench", trust=pki.roots, level="B-B",
                           services=services, clock=lambda: t0)
    has_processes = "processes" in inspect.signature(signer.sign_many).parameters
    # B-LT files for the offline bulk verification
    lt = tmp / "lt"
    lt_signer = vbsign.Signer(tmp / "person.p12", passphrase="bench", trust=pki.roots, level="B-LT",
                              tsa=pki.timestamper(t0), services=services, clock=lambda: t0)
    lt_signer.sign_many(src, lt)
    lt_files = sorted(lt.glob("*.pdf"))
    help_text = subprocess.run([str(Path(sys.executable).with_name("vbsign")), "verify", "--help"], capture_output=True, text=True).stdout
    has_jobs = "--jobs" in help_text

    print(f"{n_files} files, {rounds} alternating rounds, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; "
          "seconds per batch, min / median")
    sign_t: dict[int, list[float]] = {1: [], workers: []}
    verify_t: dict[int, list[float]] = {1: [], workers: []}
    _sign_batch(signer, src, tmp / "out", 1, has_processes)  # warm-up
    for r in range(rounds):
        for w in ((1, workers) if r % 2 == 0 else (workers, 1)):
            sign_t[w].append(_sign_batch(signer, src, tmp / "out", w, has_processes))
        if r >= max(1, rounds // 2):  # bulk verification is long: half the rounds
            continue
        if has_jobs:
            for w in ((1, workers) if r % 2 == 0 else (workers, 1)):
                verify_t[w].append(_verify_batch(lt_files, tmp / "roots.pem", w, has_jobs))
        else:
            verify_t[1].append(_verify_batch(lt_files, tmp / "roots.pem", 1, has_jobs))
    signer.close()
    lt_signer.close()
    print(_line("sign", sign_t[1], sign_t[workers], workers, "processes" if has_processes else "async tasks (1 process)"))
    if has_jobs:
        print(_line("verify", verify_t[1], verify_t[workers], workers, "processes"))
    else:
        one = verify_t[1]
        print(f"verify  1 worker {min(one):6.2f} / {statistics.median(one):6.2f} s   (no --jobs: one process only)")
    print(f"load after: {os.getloadavg()[0]:.2f}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    opts = [a for a in sys.argv[1:] if a.startswith("--workers=")]
    rest = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(
        int(rest[0]) if rest else 500,
        int(rest[1]) if len(rest) > 1 else 3,
        int(opts[0].split("=", 1)[1]) if opts else 0,
    )
