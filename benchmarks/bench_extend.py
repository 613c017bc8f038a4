"""Benchmark: extending a 1-page PAdES B-B document to B-LTA vs signing it at B-LTA directly.

Issue 18 asks that ``vbsign.extend(level="b-lta")`` of a B-B document costs at most twice
signing the same document at B-LTA in one go. Both run in this process against the test PKI
served in-process (TSA, OCSP, CRL answering at a fixed time, no network), alternating in
several rounds so that a change of CPU speed during the run affects both alike:

* **sign**: ``vbsign.sign(pdf, level="B-LTA")`` (pre-signing certificate check, signature
  timestamp, DSS, document timestamp, post-signing check);
* **extend**: ``vbsign.extend(bb, level="b-lta")`` of the same PDF signed at B-B beforehand
  (verification now — a signature that does not verify is never extended —, document
  timestamp, DSS for every signature and timestamp, archive timestamp, verification of the
  result).

Prints min and median seconds per document for both; the last line is exactly
``extend_over_sign=<median ratio> (min <min ratio>)``.

Usage: python benchmarks/bench_extend.py [N] [ROUNDS]   (default N=10, ROUNDS=5)
"""

from __future__ import annotations

import logging
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path


def main(n: int = 10, rounds: int = 5) -> None:
    logging.disable(logging.CRITICAL)
    import vbsign
    from vbsign import testpki
    from vbsign.pki.validation import Services
    from vbsign.testpki.samples import official_document_pdf

    at = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)
    pki = testpki.load()
    pdf = official_document_pdf()
    with tempfile.TemporaryDirectory() as tmp:
        key = Path(tmp) / "person.p12"
        key.write_bytes(pki.pkcs12("person", "bench"))

        def services() -> Services:
            return Services(online=False, fetcher_backend=pki.fetcher_backend(at))

        common = dict(trust=pki.roots, tsa=pki.timestamper(at), clock=lambda: at)
        bb = vbsign.sign(pdf, key=key, passphrase="bench", level="B-B", services=services(), **common).data

        def sign() -> None:
            vbsign.sign(pdf, key=key, passphrase="bench", level="B-LTA", services=services(), **common)

        def extend() -> None:
            result = vbsign.extend(bb, level="b-lta", services=services(), **common)
            assert result.level_after == "B-LTA"

        sign(), extend()  # warm-up: imports, fonts, caches
        times: dict[str, list[float]] = {"sign": [], "extend": []}
        for _ in range(rounds):
            for name, fn in (("sign", sign), ("extend", extend)):
                t = time.perf_counter()
                for _ in range(n):
                    fn()
                times[name].append((time.perf_counter() - t) / n)
    for name, ts in times.items():
        print(f"{name:7s} min {min(ts) * 1000:7.1f} ms  median {statistics.median(ts) * 1000:7.1f} ms per document")
    med = statistics.median(times["extend"]) / statistics.median(times["sign"])
    low = min(times["extend"]) / min(times["sign"])
    print(f"extend_over_sign={med:.2f} (min {low:.2f})")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
