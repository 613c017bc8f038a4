"""Benchmark: what process isolation of a risky PDF costs (issue 19).

Verifies the same signed 1-page PDF (PAdES B-LT, offline, embedded revocation data) in
process (``Limits(isolate=False)`` — what ordinary files get) and in an isolated worker
(``Limits(isolate=True)`` — what risky files get: a child forked by one of vbsign's helper
processes, with ``RLIMIT_AS``, ``RLIMIT_CPU`` and a wall-clock kill), alternating rounds,
and prints min and median milliseconds per file for both, their difference, and the one-off
cost of starting a helper (a fresh interpreter importing vbsign; the ``vbsign`` command forks
its helper from its single thread instead).

Usage: python benchmarks/bench_isolation.py [N] [ROUNDS]   (default N=40, ROUNDS=4)
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import datetime, timezone


def main(n: int = 40, rounds: int = 4) -> None:
    import logging

    logging.disable(logging.WARNING)
    import tempfile
    from pathlib import Path

    import vbsign
    from vbsign import testpki
    from vbsign.formats.pades import isolation
    from vbsign.formats.pades.limits import Limits
    from vbsign.pki.validation import Services
    from vbsign.testpki.export import write_pki
    from vbsign.testpki.samples import official_document_pdf

    t0 = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)
    pki = testpki.load()
    tmp = Path(tempfile.mkdtemp(prefix="vbsign-bench-iso-"))
    write_pki(tmp, port=pki.port, passphrase="bench")
    services = Services(online=False, fetcher_backend=pki.fetcher_backend(t0))
    signed = vbsign.sign(
        official_document_pdf(), key=tmp / "person.p12", passphrase="bench", trust=pki.roots,
        tsa=pki.timestamper(t0), level="B-LT", services=services, clock=lambda: t0,
    ).data
    offline = Services(online=False)

    def verify(isolate: bool) -> float:
        t = time.perf_counter()
        rep = vbsign.verify(signed, trust=pki.roots, now=t0, services=offline, limits=Limits(isolate=isolate))
        assert rep.indication is vbsign.Indication.TOTAL_PASSED, rep.indication
        return (time.perf_counter() - t) * 1000

    start = time.perf_counter()
    verify(True)  # starts a helper (a fresh interpreter)
    first = (time.perf_counter() - start) * 1000
    verify(False)
    times: dict[bool, list[float]] = {False: [], True: []}
    per_round = max(1, n // rounds)
    for r in range(rounds):
        for iso in ((False, True) if r % 2 == 0 else (True, False)):
            times[iso] += [verify(iso) for _ in range(per_round)]
    plain, iso = times[False], times[True]
    print(f"N={len(plain)} per mode in {rounds} alternating rounds, 1-page PDF ({len(signed)} bytes), B-LT, offline")
    print(f"in process : min {min(plain):7.1f} ms   median {statistics.median(plain):7.1f} ms")
    print(f"isolated   : min {min(iso):7.1f} ms   median {statistics.median(iso):7.1f} ms")
    print(f"isolation costs {statistics.median(iso) - statistics.median(plain):+.1f} ms per file (median); "
          f"first isolated file {first:.0f} ms (helper start included); helpers {len(isolation.helper_pids())}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40, int(sys.argv[2]) if len(sys.argv) > 2 else 4)
