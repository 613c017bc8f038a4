"""Benchmark: vbsign vs a plain pyHanko pipeline, measured in the same run.

Signs the same 1-page PDF N times (PAdES B-B, software RSA-2048 key) and verifies the
result N times, with

* plain pyHanko: ``SimpleSigner.load_pkcs12`` once + ``PdfSigner(...).sign_pdf`` per document;
  ``validate_pdf_signature`` with a ``ValidationContext(trust_roots=...)`` per document;
* vbsign: one ``vbsign.Signer`` reused for all documents (pre-signing certificate check incl.
  revocation, cached) and ``vbsign.verify`` per document (offline).

Prints documents per second for both and their ratio. The last line is exactly
``sign_ratio=<x> verify_ratio=<y>`` (vbsign throughput / pyHanko throughput).

Usage: python benchmarks/bench_sign_verify.py [N]   (default N=50)
"""

from __future__ import annotations

import io
import logging
import platform
import sys
import tempfile
import time
from pathlib import Path


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main(n: int = 50) -> None:
    logging.disable(logging.WARNING)
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    # vbsign's PDF modules are imported only after the pyHanko baseline was measured, so the
    # baseline runs plain pyHanko (vbsign installs a faster hex-string reader into pyHanko).
    from vbsign import testpki
    from vbsign.samples import official_document_pdf

    pki = testpki.load()
    pdf = official_document_pdf()
    tmp = Path(tempfile.mkdtemp(prefix="vbsign-bench-"))
    p12 = tmp / "person.p12"
    p12.write_bytes(pki.pkcs12("person", "bench"))
    roots = pki.roots

    # ---- plain pyHanko ------------------------------------------------------------------
    ph_signer = signers.SimpleSigner.load_pkcs12(str(p12), passphrase=b"bench")
    assert ph_signer is not None

    def ph_sign() -> bytes:
        meta = signers.PdfSignatureMetadata(field_name="Sig1", subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256")
        out = io.BytesIO()
        signers.PdfSigner(meta, signer=ph_signer).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), output=out)
        return out.getvalue()

    def ph_verify(data: bytes) -> bool:
        r = PdfFileReader(io.BytesIO(data))
        vc = ValidationContext(trust_roots=roots, other_certs=pki.intermediates)
        st = validate_pdf_signature(r.embedded_signatures[0], vc)
        return bool(st.intact and st.valid)

    def rate(fn, *args) -> tuple[float, object]:  # type: ignore[no-untyped-def]
        fn(*args)  # warm-up (imports, caches, first revocation check)
        t = time.perf_counter()
        for _ in range(n):
            res = fn(*args)
        return n / (time.perf_counter() - t), res

    ph_sign_rate, ph_doc = rate(ph_sign)
    ph_verify_rate, ok1 = rate(ph_verify, ph_doc)

    # ---- vbsign -------------------------------------------------------------------------
    import vbsign
    from vbsign.validation import Services

    services = Services(online=False, fetcher_backend=pki.fetcher_backend())
    trust = vbsign.TrustStore(tuple(roots))
    vb_signer = vbsign.Signer(p12, passphrase="bench", trust=trust, level="B-B", services=services)

    def vb_sign() -> bytes:
        return vb_signer.sign(pdf).data

    def vb_verify(data: bytes) -> bool:
        rep = vbsign.verify(data, trust=trust, services=services)
        return rep.signatures[0].integrity is not None and rep.signatures[0].integrity.intact

    vb_sign_rate, vb_doc = rate(vb_sign)
    vb_verify_rate, ok2 = rate(vb_verify, vb_doc)
    assert ok1 and ok2, "verification failed in the benchmark"
    print(f"machine: {_cpu()}, Python {platform.python_version()}, N={n}, 1-page PDF ({len(pdf)} bytes), RSA-2048, PAdES B-B")
    print(f"sign   pyHanko: {ph_sign_rate:8.1f} docs/s   vbsign: {vb_sign_rate:8.1f} docs/s   ratio {vb_sign_rate / ph_sign_rate:.2f}")
    print(f"verify pyHanko: {ph_verify_rate:8.1f} docs/s   vbsign: {vb_verify_rate:8.1f} docs/s   ratio {vb_verify_rate / ph_verify_rate:.2f}")
    print(f"sign_ratio={vb_sign_rate / ph_sign_rate:.2f} verify_ratio={vb_verify_rate / ph_verify_rate:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
