"""Benchmark: vbsign vs a plain pyHanko pipeline, measured in the same run.

Signs the same 1-page PDF N times (PAdES B-B, software RSA-2048 key) and verifies the
result N times, with

* plain pyHanko: ``SimpleSigner.load_pkcs12`` once + ``PdfSigner(...).sign_pdf`` per document;
  ``validate_pdf_signature`` with a ``ValidationContext(trust_roots=...)`` per document;
* vbsign: one ``vbsign.Signer`` reused for all documents (pre-signing certificate check incl.
  revocation, cached) and ``vbsign.verify`` per document (mandatory revocation checking,
  structural attack checks).

Each pipeline runs in its own worker process (pyHanko runs plain; vbsign as a library uses
its own faster reader and changes nothing in pyHanko — no ``vbsign.enable_speedups()`` here,
this measures what a host application gets by default), and the two workers take turns in
several rounds, so that a change of CPU speed during the run (shared virtual machines) affects both
alike. Prints documents per second for both and their ratio; the last line is exactly
``sign_ratio=<x> verify_ratio=<y>`` (vbsign throughput / pyHanko throughput).

Usage: python benchmarks/bench_sign_verify.py [N] [ROUNDS] [--speedups]   (default N=60, ROUNDS=6;
``--speedups``: the vbsign worker calls ``vbsign.enable_speedups()`` first, as the ``vbsign``
command does)
"""

from __future__ import annotations

import multiprocessing as mp
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _pyhanko_worker(conn: Any, p12: str, pdf_path: str, roots_pem: str, inter_pem: str) -> None:
    import io
    import logging

    logging.disable(logging.WARNING)
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    def certs(path: str) -> list[x509.Certificate]:
        return [x509.Certificate.load(der) for _, _, der in pem.unarmor(Path(path).read_bytes(), multiple=True)]

    assert "vbsign.formats.pades" not in sys.modules  # plain pyHanko, no vbsign speed-ups
    pdf = Path(pdf_path).read_bytes()
    roots, inter = certs(roots_pem), certs(inter_pem)
    signer = signers.SimpleSigner.load_pkcs12(p12, passphrase=b"bench")
    assert signer is not None

    def sign() -> bytes:
        meta = signers.PdfSignatureMetadata(field_name="Sig1", subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256")
        out = io.BytesIO()
        signers.PdfSigner(meta, signer=signer).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), output=out)
        return out.getvalue()

    def verify(data: bytes) -> bool:
        r = PdfFileReader(io.BytesIO(data))
        vc = ValidationContext(trust_roots=roots, other_certs=inter)
        st = validate_pdf_signature(r.embedded_signatures[0], vc)
        return bool(st.intact and st.valid)

    _serve(conn, sign, verify)


def _vbsign_worker(conn: Any, p12: str, pdf_path: str, roots_pem: str, inter_pem: str, speedups: bool = False) -> None:
    import logging

    logging.disable(logging.WARNING)
    import vbsign

    if speedups:  # the process-wide opt-in an application that owns its process may make
        vbsign.enable_speedups()
    from vbsign import testpki
    from vbsign.pki.validation import Services

    pdf = Path(pdf_path).read_bytes()
    pki = testpki.load()
    services = Services(online=False, fetcher_backend=pki.fetcher_backend())
    trust = vbsign.TrustStore.from_paths([roots_pem], [inter_pem])
    signer = vbsign.Signer(p12, passphrase="bench", trust=trust, level="B-B", services=services)

    def sign() -> bytes:
        return signer.sign(pdf).data

    def verify(data: bytes) -> bool:
        rep = vbsign.verify(data, trust=trust, services=services)
        sig = rep.signatures[0]
        return rep.indication is vbsign.Indication.TOTAL_PASSED and sig.integrity is not None and sig.integrity.intact

    _serve(conn, sign, verify)


def _serve(conn: Any, sign: Any, verify: Any) -> None:
    doc = sign()  # warm-up: imports, caches, the first revocation check
    assert verify(doc), "verification failed in the benchmark"
    while True:
        cmd, k = conn.recv()
        if cmd == "stop":
            return
        t = time.perf_counter()
        for _ in range(k):
            if cmd == "sign":
                doc = sign()
            else:
                verify(doc)
        conn.send(time.perf_counter() - t)


def main(n: int = 60, rounds: int = 6, speedups: bool = False) -> None:
    from vbsign import testpki
    from vbsign.testpki.samples import official_document_pdf

    pki = testpki.load()
    tmp = Path(tempfile.mkdtemp(prefix="vbsign-bench-"))
    (tmp / "person.p12").write_bytes(pki.pkcs12("person", "bench"))
    pdf = official_document_pdf()
    (tmp / "doc.pdf").write_bytes(pdf)
    (tmp / "roots.pem").write_bytes(testpki.pem_bundle(pki.roots))
    (tmp / "chain.pem").write_bytes(testpki.pem_bundle(pki.intermediates))
    args = (str(tmp / "person.p12"), str(tmp / "doc.pdf"), str(tmp / "roots.pem"), str(tmp / "chain.pem"))

    ctx = mp.get_context("spawn")  # fresh interpreters: the baseline never sees vbsign's patches
    workers = {}
    for name, target in (("pyhanko", _pyhanko_worker), ("vbsign", _vbsign_worker)):
        parent, child = ctx.Pipe()
        extra = (speedups,) if name == "vbsign" else ()
        proc = ctx.Process(target=target, args=(child, *args, *extra), daemon=True)
        proc.start()
        workers[name] = (proc, parent)

    per_round = max(1, n // rounds)
    totals = {(w, op): 0.0 for w in workers for op in ("sign", "verify")}
    for r in range(rounds):
        order = ["pyhanko", "vbsign"] if r % 2 == 0 else ["vbsign", "pyhanko"]
        for op in ("sign", "verify"):
            for w in order:
                workers[w][1].send((op, per_round))
                totals[(w, op)] += workers[w][1].recv()
    for proc, conn in workers.values():
        conn.send(("stop", 0))
        proc.join(timeout=30)

    docs = per_round * rounds
    rate = {key: docs / t for key, t in totals.items()}
    sign_ratio = rate[("vbsign", "sign")] / rate[("pyhanko", "sign")]
    verify_ratio = rate[("vbsign", "verify")] / rate[("pyhanko", "verify")]
    print(
        f"machine: {_cpu()}, Python {platform.python_version()}, N={docs} in {rounds} alternating rounds, "
        f"1-page PDF ({len(pdf)} bytes), RSA-2048, PAdES B-B"
        + (", vbsign.enable_speedups()" if speedups else "")
    )
    print(
        f"sign   pyHanko: {rate[('pyhanko', 'sign')]:8.1f} docs/s   vbsign: {rate[('vbsign', 'sign')]:8.1f} docs/s"
        f"   ratio {sign_ratio:.2f}"
    )
    print(
        f"verify pyHanko: {rate[('pyhanko', 'verify')]:8.1f} docs/s   vbsign: {rate[('vbsign', 'verify')]:8.1f} docs/s"
        f"   ratio {verify_ratio:.2f}"
    )
    print(f"sign_ratio={sign_ratio:.2f} verify_ratio={verify_ratio:.2f}")


if __name__ == "__main__":
    argv = [a for a in sys.argv[1:] if a != "--speedups"]
    main(
        int(argv[0]) if len(argv) > 0 else 60,
        int(argv[1]) if len(argv) > 1 else 6,
        speedups="--speedups" in sys.argv[1:],
    )
