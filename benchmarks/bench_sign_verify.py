"""Benchmark: vbsign vs pyHanko (used well, and by default), measured in the same run.

Signs the same 1-page PDF (PAdES B-B, software RSA-2048 key) and verifies signed files with
three pipelines, each in its own fresh worker process:

* ``pyhanko-default``: ``SimpleSigner.load_pkcs12`` once + ``PdfSigner(...).sign_pdf`` per
  document, as pyHanko's documentation shows it (``sign_raw`` re-parses the DER private key on
  every call, and a dry-run signature sizes ``/Contents``);
* ``pyhanko-tuned``: pyHanko *used well* — the private key parsed once (a ``SimpleSigner``
  subclass) and ``bytes_reserved`` given, so no dry run. This is the figure that counts;
* ``vbsign``: one ``vbsign.Signer`` reused for all documents (pre-signing certificate check incl.
  revocation, cached) and ``vbsign.verify`` per document (mandatory revocation checking,
  structural attack checks). No ``vbsign.enable_speedups()`` unless ``--speedups``.

Verification: every pipeline verifies the same two files, one signed by pyHanko and one by
vbsign; pyHanko validates with ``revocation_mode="hard-fail"`` and the same in-process test
PKI (OCSP/CRL) vbsign uses, so both do revocation checking.

The pipelines take turns in alternating (rotating, reversed every other) rounds, so a change of
CPU speed during the run (shared virtual machines) affects all alike. Prints min and median
milliseconds per document over the rounds; ratios are pyHanko median / vbsign median. The last
line is exactly ``sign_ratio_tuned=<x> sign_ratio_default=<y> verify_ratio=<z>`` (verify: the
lower of the two files, against pyHanko tuned).

Usage: python benchmarks/bench_sign_verify.py [N] [ROUNDS] [--speedups]   (default N=60, ROUNDS=6)
"""

from __future__ import annotations

import multiprocessing as mp
import os
import platform
import statistics
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


def _pyhanko_worker(conn: Any, p12: str, pdf_path: str, roots_pem: str, inter_pem: str, tuned: bool = False) -> None:
    """pyHanko alone. ``tuned``: used well — the private key parsed once (pyHanko's
    ``SimpleSigner.sign_raw`` re-parses the DER key on every call) and ``bytes_reserved`` set
    (no dry-run signature to size ``/Contents``); otherwise pyHanko's documented default."""
    import io
    import logging

    logging.disable(logging.WARNING)
    from asn1crypto import pem, x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
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
    if tuned:
        key = serialization.load_der_private_key(signer.signing_key.dump(), password=None)

        class _CachedKeySigner(signers.SimpleSigner):
            def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:  # RSA PKCS#1 v1.5 only
                return key.sign(data, padding.PKCS1v15(), getattr(hashes, digest_algorithm.upper())())  # type: ignore[union-attr]

        signer = _CachedKeySigner(signer.signing_cert, signer.signing_key, signer.cert_registry)
    # a fetcher for revocation data from the same in-process test PKI vbsign uses (plain
    # pyHanko; vbsign.testpki does not import vbsign's PDF code)
    from vbsign import testpki

    fetchers = testpki.load().fetcher_backend()
    assert "vbsign.formats.pades" not in sys.modules

    def sign() -> bytes:
        meta = signers.PdfSignatureMetadata(field_name="Sig1", subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256")
        out = io.BytesIO()
        pdf_signer = signers.PdfSigner(meta, signer=signer)
        extra = {"bytes_reserved": 16384} if tuned else {}
        pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), output=out, **extra)
        return out.getvalue()

    def verify(data: bytes) -> bool:
        r = PdfFileReader(io.BytesIO(data))
        vc = ValidationContext(
            trust_roots=roots, other_certs=inter, revocation_mode="hard-fail", allow_fetching=True, fetcher_backend=fetchers
        )
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
    docs = {"own": doc}
    while True:
        cmd, arg = conn.recv()
        if cmd == "stop":
            return
        if cmd == "doc":  # hand out this pipeline's signed document
            conn.send(docs["own"])
            continue
        if cmd == "load":  # the documents every pipeline verifies
            docs.update(arg)
            assert all(verify(d) for d in arg.values()), "verification failed in the benchmark"
            conn.send(0.0)
            continue
        op, k = cmd, arg
        t = time.perf_counter()
        for _ in range(k):
            if op == "sign":
                sign()
            else:  # "verify:<which>"
                verify(docs[op.split(":", 1)[1]])
        conn.send(time.perf_counter() - t)


PIPELINES = ("pyhanko-default", "pyhanko-tuned", "vbsign")
OPS = ("sign", "verify:pyhanko", "verify:vbsign")


def _start(args: tuple[str, ...], speedups: bool) -> dict[str, tuple[Any, Any]]:
    ctx = mp.get_context("spawn")  # fresh interpreters: the baselines never see vbsign's patches
    workers = {}
    for name in PIPELINES:
        parent, child = ctx.Pipe()
        if name == "vbsign":
            target, extra = _vbsign_worker, (speedups,)
        else:
            target, extra = _pyhanko_worker, (name == "pyhanko-tuned",)
        proc = ctx.Process(target=target, args=(child, *args, *extra), daemon=True)
        proc.start()
        workers[name] = (proc, parent)
    # every pipeline verifies the same two files: one signed by pyHanko (tuned), one by vbsign
    docs = {}
    for src, name in (("pyhanko", "pyhanko-tuned"), ("vbsign", "vbsign")):
        workers[name][1].send(("doc", 0))
        docs[src] = workers[name][1].recv()
    for _, conn in workers.values():
        conn.send(("load", docs))
    for _, conn in workers.values():
        conn.recv()
    return workers


def _rounds(workers: dict[str, tuple[Any, Any]], per_round: int, rounds: int) -> dict[tuple[str, str], list[float]]:
    """Milliseconds per document, one figure per round; the order of the pipelines rotates."""
    times: dict[tuple[str, str], list[float]] = {(w, op): [] for w in workers for op in OPS}
    names = list(workers)
    for r in range(rounds):
        order = names[r % len(names):] + names[: r % len(names)]
        if r % 2:
            order.reverse()
        for op in OPS:
            for w in order:
                workers[w][1].send((op, per_round))
                times[(w, op)].append(workers[w][1].recv() / per_round * 1000)
    return times


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

    workers = _start(args, speedups)
    per_round = max(1, n // rounds)
    times = _rounds(workers, per_round, rounds)
    for proc, conn in workers.values():
        conn.send(("stop", 0))
        proc.join(timeout=30)

    med = {key: statistics.median(v) for key, v in times.items()}
    print(
        f"machine: {_cpu()}, Python {platform.python_version()}, load {os.getloadavg()[0]:.2f}, "
        f"N={per_round * rounds} per pipeline in {rounds} alternating rounds, "
        f"1-page PDF ({len(pdf)} bytes), RSA-2048, PAdES B-B; ms per document, min / median of rounds"
        + (", vbsign.enable_speedups()" if speedups else "")
    )
    labels = {"sign": "sign", "verify:pyhanko": "verify (pyHanko-signed file)", "verify:vbsign": "verify (vbsign-signed file)"}
    for op in OPS:
        cells = "   ".join(f"{w} {min(times[(w, op)]):6.1f} / {med[(w, op)]:6.1f}" for w in PIPELINES)
        print(f"{labels[op]:<30} {cells}")
    print("verify: pyHanko with hard-fail revocation (OCSP/CRL from the same in-process test PKI), vbsign's full verdict")
    sign_tuned = med[("pyhanko-tuned", "sign")] / med[("vbsign", "sign")]
    sign_default = med[("pyhanko-default", "sign")] / med[("vbsign", "sign")]
    verify_ratio = min(
        med[("pyhanko-tuned", f"verify:{src}")] / med[("vbsign", f"verify:{src}")] for src in ("pyhanko", "vbsign")
    )
    print("ratios: pyHanko median time / vbsign median time (higher is better for vbsign); verify: the worse of the two files")
    print(f"sign_ratio_tuned={sign_tuned:.2f} sign_ratio_default={sign_default:.2f} verify_ratio={verify_ratio:.2f}")


if __name__ == "__main__":
    argv = [a for a in sys.argv[1:] if a != "--speedups"]
    main(
        int(argv[0]) if len(argv) > 0 else 60,
        int(argv[1]) if len(argv) > 1 else 6,
        speedups="--speedups" in sys.argv[1:],
    )
