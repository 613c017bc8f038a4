"""Benchmark: cost of Decree 30/2020 visible appearances, measured in the same run.

Signs the sample 1-page decision N times (PAdES B-B, software RSA-2048 key, one reused
``vbsign.Signer``):

* baseline: invisible signature;
* ``person``: signature image + text block, placed by finding the signer's name on the
  page (pdfminer text layout);
* ``agency``: seal image over the person's signature image (reads that widget's appearance);
* ``copy``: 10 pt text in the top-right corner;
* plus the one-off cost of normalising a 2048-unit font to 1000 units per em (cold disk
  cache), which later runs and processes skip.

Prints documents per second and the ratio to the invisible baseline. The last line is
exactly ``person_ratio=<x> agency_ratio=<y> copy_ratio=<z>``.

Usage: python benchmarks/bench_appearance.py [N]   (default N=30)
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from pathlib import Path


def main(n: int = 30) -> None:
    logging.disable(logging.WARNING)
    tmp = Path(tempfile.mkdtemp(prefix="vbsign-bench-ap-"))
    os.environ["VBSIGN_CACHE_DIR"] = str(tmp / "cache")  # cold font cache for the one-off figure
    from vbsign import api, testpki
    from vbsign.appearance import Appearance, fonts
    from vbsign.pki.validation import Services
    from vbsign.testpki.sample_images import seal_png, signature_png
    from vbsign.testpki.samples import official_document_pdf

    pki = testpki.load()
    pdf = official_document_pdf()
    for label in ("person", "agency"):
        (tmp / f"{label}.p12").write_bytes(pki.pkcs12(label, "bench"))
    svc = Services(online=False)

    t = time.perf_counter()
    fonts.pdf_font(fonts.find_font())
    cold_font = time.perf_counter() - t

    sig, seal = signature_png(), seal_png()
    person_ap = Appearance.person(sig)
    agency_ap = Appearance.agency(seal, diameter_mm=36)
    copy_ap = Appearance.copy("SAO Y")

    def rate(signer: api.Signer, source: bytes, **kw: object) -> tuple[float, bytes]:
        out = signer.sign(source, **kw)  # warm-up (certificate check, caches)
        t0 = time.perf_counter()
        for _ in range(n):
            out = signer.sign(source, **kw)
        return n / (time.perf_counter() - t0), out.data

    with api.Signer(tmp / "person.p12", passphrase="bench", trust=pki.roots, level="B-B",
                    services=svc, check_revocation=False) as person:
        base, _ = rate(person, pdf)
        person_rate, person_signed = rate(person, pdf, appearance=person_ap)
        copy_rate, _ = rate(person, pdf, appearance=copy_ap)
    with api.Signer(tmp / "agency.p12", passphrase="bench", trust=pki.roots, level="B-B",
                    services=svc, check_revocation=False) as agency:
        agency_rate, _ = rate(agency, person_signed, appearance=agency_ap)

    print(f"documents: {n} × 1-page PDF, PAdES B-B, RSA-2048 software key, Python {sys.version.split()[0]}")
    print(f"one-off font normalisation (cold cache): {cold_font * 1000:.0f} ms")
    print(f"invisible (baseline): {base:7.1f} docs/s")
    for name, r in (("person", person_rate), ("agency", agency_rate), ("copy", copy_rate)):
        print(f"{name:<20}: {r:7.1f} docs/s  ({r / base:.2f}× baseline)")
    print(f"person_ratio={person_rate / base:.2f} agency_ratio={agency_rate / base:.2f} copy_ratio={copy_rate / base:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
