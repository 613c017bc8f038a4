"""Benchmark: large and long PDFs — vbsign vs pyHanko used well, with a SHA-256 reference.

Files (generated once into a temp directory):

* ``1mb`` / ``10mb`` / ``100mb``: one page showing an uncompressed grey image of random bytes
  (incompressible, so the file really is that size);
* ``1000p``: a 1,000-page text PDF (reportlab, Helvetica).

For every file, sign (PAdES B-B, software RSA-2048) and verify with

* ``vbsign``: ``Signer.sign(path, output=path)`` and ``vbsign.verify(path)`` (revocation checked);
* ``pyhanko``: pyHanko used well (key parsed once, ``bytes_reserved`` set; input read from the
  file, output written to a file) and ``validate_pdf_signature`` with hard-fail revocation from
  the same in-process test PKI.

Each measurement runs in a fresh child process (``spawn``) that has already imported
everything and signed / verified a 1-page warm-up document (vbsign: verified in its isolated
worker, which starts the helper process a long-running application keeps), so the time is
the work on the file alone and the peak RSS (``VmHWM`` of the child) is the peak of that work
on top of the imports (the isolated worker's memory is not included: it is another process). Pipelines alternate in every round; min and median over ROUNDS are printed, with
the time of a Python ``hashlib.sha256`` over the same file (1 MiB reads) as a reference: that is
the floor for anything that must hash the whole file once.

Usage: python benchmarks/bench_large.py [ROUNDS] [--sizes=1mb,10mb,100mb,1000p]   (default 3)
"""

from __future__ import annotations

import hashlib
import io
import logging
import multiprocessing as mp
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

MB = 1024 * 1024


def _image_pdf(path: Path, size: int) -> None:
    """A valid one-page PDF whose page shows a raw DeviceGray image of ``size`` random bytes."""
    side = int(size**0.5)
    pixels = os.urandom(side * side)
    content = b"q 500 0 0 500 50 200 cm /Im1 Do Q BT /F1 14 Tf 50 100 Td (Large file benchmark) Tj ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /XObject << /Im1 5 0 R >> /Font << /F1 6 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray"
        b" /BitsPerComponent 8 /Length %d >>\nstream\n" % (side, side, len(pixels)) + pixels + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    path.write_bytes(out.getvalue())


def _pages_pdf(path: Path, pages: int) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    for p in range(pages):
        c.setFont("Helvetica", 11)
        for line in range(40):
            c.drawString(50, 800 - 18 * line, f"Page {p + 1}, line {line + 1}: the quick brown fox jumps over the lazy dog.")
        c.showPage()
    c.save()


def _rss_mb() -> float:
    """Peak RSS of this process (``VmHWM``: unlike ``ru_maxrss``, not inherited across exec
    from the parent that generated the files)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _pyhanko_ops(p12: str, roots: list[Any], inter: list[Any], fetchers: Any) -> tuple[Any, Any]:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    base = signers.SimpleSigner.load_pkcs12(p12, passphrase=b"bench")
    assert base is not None
    key = serialization.load_der_private_key(base.signing_key.dump(), password=None)

    class _CachedKeySigner(signers.SimpleSigner):
        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            return key.sign(data, padding.PKCS1v15(), getattr(hashes, digest_algorithm.upper())())  # type: ignore[union-attr]

    signer = _CachedKeySigner(base.signing_cert, base.signing_key, base.cert_registry)

    def sign(src: str, dst: str) -> None:
        meta = signers.PdfSignatureMetadata(field_name="Sig1", subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256")
        with open(src, "rb") as inf, open(dst, "wb") as outf:
            signers.PdfSigner(meta, signer=signer).sign_pdf(
                IncrementalPdfFileWriter(inf), output=outf, bytes_reserved=16384
            )

    def verify(src: str) -> None:
        with open(src, "rb") as f:
            vc = ValidationContext(trust_roots=roots, other_certs=inter, revocation_mode="hard-fail",
                                   allow_fetching=True, fetcher_backend=fetchers)
            st = validate_pdf_signature(PdfFileReader(f).embedded_signatures[0], vc)
            assert st.intact and st.valid, "pyHanko: verification failed"

    return sign, verify, verify


def _vbsign_ops(p12: str, roots: list[Any], inter: list[Any], fetchers: Any) -> tuple[Any, Any]:
    import vbsign
    from vbsign.formats.pades.limits import Limits
    from vbsign.pki.validation import Services

    services = Services(online=False, fetcher_backend=fetchers)
    trust = vbsign.TrustStore(tuple(roots), tuple(inter))
    signer = vbsign.Signer(p12, passphrase="bench", trust=trust, level="B-B", services=services)

    def sign(src: str, dst: str) -> None:
        signer.sign(src, dst)

    def verify(src: str, isolate: bool | None = None) -> None:
        limits = None if isolate is None else Limits(isolate=isolate)
        rep = vbsign.verify(src, trust=trust, services=services, limits=limits)
        assert rep.indication is vbsign.Indication.TOTAL_PASSED, f"vbsign: {rep.indication}"

    def warm(src: str) -> None:  # and start the isolation helper a long-running process keeps
        verify(src, isolate=True)

    return sign, verify, warm


def _child(conn: Any, pipeline: str, op: str, p12: str, warm: str, src: str, dst: str) -> None:
    """One measurement in a fresh process: warm up on ``warm``, then ``op`` on ``src``."""
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    from vbsign import testpki

    pki = testpki.load()
    roots, inter, fetchers = list(pki.roots), list(pki.intermediates), pki.fetcher_backend()
    sign, verify, warm_up = (_vbsign_ops if pipeline == "vbsign" else _pyhanko_ops)(p12, roots, inter, fetchers)
    warm_out = dst + ".warm.pdf"
    sign(warm, warm_out)
    warm_up(warm_out)
    before = _rss_mb()
    t = time.perf_counter()
    if op == "sign":
        sign(src, dst)
    else:
        verify(src)
    conn.send((time.perf_counter() - t, _rss_mb(), before))


def _measure(pipeline: str, op: str, p12: str, warm: str, src: str, dst: str) -> tuple[float, float, float]:
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_child, args=(child, pipeline, op, p12, warm, src, dst))
    proc.start()
    try:
        result: tuple[float, float, float] = parent.recv()
    except EOFError:
        raise SystemExit(f"{pipeline} {op} {Path(src).name}: the child process failed") from None
    proc.join()
    return result


def _sha256_seconds(path: str) -> float:
    t = time.perf_counter()
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(MB):
            h.update(chunk)
    return time.perf_counter() - t


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def _files(tmp: Path, names: list[str]) -> dict[str, Path]:
    files = {}
    for name in names:
        path = tmp / f"{name}.pdf"
        if name.endswith("mb"):
            _image_pdf(path, int(name[:-2]) * MB)
        else:
            _pages_pdf(path, int(name[:-1]))
        files[name] = path
    return files


def main(rounds: int = 3, names: list[str] | None = None) -> None:
    from vbsign import testpki
    from vbsign.testpki.samples import official_document_pdf

    names = names or ["1mb", "10mb", "100mb", "1000p"]
    tmp = Path(tempfile.mkdtemp(prefix="vbsign-bench-large-"))
    (tmp / "person.p12").write_bytes(testpki.load().pkcs12("person", "bench"))
    (tmp / "warm.pdf").write_bytes(official_document_pdf())
    p12, warm = str(tmp / "person.p12"), str(tmp / "warm.pdf")
    files = _files(tmp, names)
    print(f"machine: {_cpu()}, Python {platform.python_version()}, load {os.getloadavg()[0]:.2f}, {rounds} alternating rounds")
    print("time in ms, min / median; peak RSS of the child in MB (median), and its RSS before the work")
    summary = []
    for name, path in files.items():
        size = path.stat().st_size
        sha = [_sha256_seconds(str(path)) * 1000 for _ in range(rounds)]
        res: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
        for r in range(rounds):
            for op in ("sign", "verify"):
                order = ["pyhanko", "vbsign"] if r % 2 == 0 else ["vbsign", "pyhanko"]
                for pl in order:
                    src = str(path) if op == "sign" else str(tmp / f"{name}.{pl}-signed.pdf")
                    dst = str(tmp / f"{name}.{pl}-signed.pdf") if op == "sign" else str(tmp / f"{name}.{pl}-v.pdf")
                    res.setdefault((pl, op), []).append(_measure(pl, op, p12, warm, src, dst))
        print(f"{name}: {size / MB:.1f} MB; Python SHA-256 {min(sha):.1f} / {statistics.median(sha):.1f} ms")
        for (pl, op), vals in sorted(res.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            ms = [v[0] * 1000 for v in vals]
            peak = statistics.median(v[1] for v in vals)
            base = statistics.median(v[2] for v in vals)
            print(f"  {op:<6} {pl:<8} {min(ms):8.1f} / {statistics.median(ms):8.1f} ms   peak RSS {peak:7.1f} MB (before {base:.1f})")
        med = {k: statistics.median(v[0] for v in vals) * 1000 for k, vals in res.items()}
        summary.append(
            f"{name}: sign {med[('vbsign', 'sign')] / med[('pyhanko', 'sign')]:.2f}x pyHanko "
            f"{med[('vbsign', 'sign')] / statistics.median(sha):.1f}x SHA-256, "
            f"verify {med[('vbsign', 'verify')] / med[('pyhanko', 'verify')]:.2f}x pyHanko, "
            f"sign peak RSS {statistics.median(v[1] for v in res[('vbsign', 'sign')]):.0f} MB"
        )
    print("vbsign time / pyHanko time (lower is better):")
    for line in summary:
        print("  " + line)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sizes = next((a.split("=", 1)[1].split(",") for a in sys.argv[1:] if a.startswith("--sizes=")), None)
    rest = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(rest[0]) if rest else 3, sizes)
