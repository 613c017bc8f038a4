"""Benchmark: what attack resistance costs, against plain pyHanko, measured in the same run.

For the same signed documents (1-page decision, PAdES B-LT, test PKI):

* ``pyhanko``: plain pyHanko integrity + difference analysis
  (``EmbeddedPdfSignature.compute_integrity_info`` — the part vbsign's checks extend);
* ``checks``: vbsign's structural layer alone (``forensics.analyse`` + ``judge``:
  revisions, hidden updates, /ByteRange and /Contents, change classification);
* ``verify``: the whole ``vbsign.verify`` in-process (``Limits(isolate=False)``, library
  default for ordinary files);
* ``verify+fork``: the same with the isolated worker (``Limits(isolate=True)``, the CLI
  default: fork + RLIMIT_AS + wall-clock kill);
* ``verify 2 sigs``: a leader + seal document, where the visual check runs (poppler).

Prints milliseconds per document and ratios; the last line is
``checks_over_pyhanko=<x> fork_overhead_ms=<y> visual_ms=<z>``.

Usage: python benchmarks/bench_attacks.py [N]   (default N=30)
"""

from __future__ import annotations

import asyncio
import io
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path


def _ms(fn: Callable[[], object], n: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main(n: int = 30) -> None:
    logging.disable(logging.WARNING)
    from pyhanko.pdf_utils.reader import PdfFileReader

    from vbsign import api, testpki
    from vbsign.formats.pades import forensics, visual
    from vbsign.formats.pades.limits import Limits
    from vbsign.model.report import Indication, ModificationInfo, SignatureReport
    from vbsign.pki.validation import Services
    from vbsign.testpki.export import write_pki
    from vbsign.testpki.samples import official_document_pdf

    t0 = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)
    pki = testpki.load()
    d = Path(tempfile.mkdtemp(prefix="vbsign-bench-"))
    write_pki(d, port=pki.port, passphrase="bench")
    svc = Services(online=False, fetcher_backend=pki.fetcher_backend(t0))

    def sign(subject: str, data: bytes, **opts: object) -> bytes:
        return api.sign(
            data, key=d / f"{subject}.p12", passphrase="bench", trust=pki.roots, tsa=pki.timestamper(t0),
            level="B-LT", services=svc, clock=lambda: t0, **opts,
        ).data

    one = sign("person", official_document_pdf())
    two = sign("agency", one, box=(60, 40, 200, 90))
    offline = Services(online=False)

    def pyhanko_integrity() -> None:
        r = PdfFileReader(io.BytesIO(one), strict=False)
        for emb in r.embedded_signatures:
            emb.compute_integrity_info()

    def checks_only() -> None:
        r = PdfFileReader(io.BytesIO(one), strict=False)
        f = forensics.analyse(one, r)
        for s in f.slots:
            rep = SignatureReport(id="S1", kind="signature", indication=Indication.TOTAL_PASSED, sub_indication=None)
            rep.modification = ModificationInfo(level="LTA_UPDATES", docmdp_ok=True)
            asyncio.run(f.judge(rep, s))

    def verify(data: bytes, isolate: bool) -> Callable[[], object]:
        def run() -> object:
            rep = api.verify(data, trust=pki.roots, now=t0, services=offline, limits=Limits(isolate=isolate))
            assert rep.indication is Indication.TOTAL_PASSED, rep.indication
            return rep

        return run

    r_ph = _ms(pyhanko_integrity, n)
    r_checks = _ms(checks_only, n)
    r_verify = _ms(verify(one, False), n)
    r_fork = _ms(verify(one, True), n)
    r_two = _ms(verify(two, False), max(5, n // 3))
    from vbsign.formats.pades.visual import VisualOptions

    def two_no_visual() -> object:
        return api.verify(two, trust=pki.roots, now=t0, services=offline, limits=Limits(isolate=False),
                          visual=VisualOptions(enabled=False))

    r_two_nv = _ms(two_no_visual, max(5, n // 3))
    print(f"documents: {n} runs each, median ms/document (poppler: {'yes' if visual.available() else 'no'})")
    print(f"  pyhanko integrity+diff       {r_ph:8.1f}")
    print(f"  vbsign structural checks     {r_checks:8.1f}   ({r_checks / r_ph:.2f} × pyHanko's integrity step)")
    print(f"  vbsign verify, in-process    {r_verify:8.1f}")
    print(f"  vbsign verify, forked worker {r_fork:8.1f}   (+{r_fork - r_verify:.1f} ms)")
    print(f"  2 signatures, visual check   {r_two:8.1f}   (without visual: {r_two_nv:.1f})")
    print(f"checks_over_pyhanko={r_checks / r_ph:.3f} fork_overhead_ms={r_fork - r_verify:.1f} visual_ms={r_two - r_two_nv:.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
