"""Benchmark: signing a batch on a PKCS#11 token (SoftHSM2) — vbsign vs plain pyHanko.

Both sides use the same SoftHSM2 token, key (RSA-2048, imported) and documents, in the
same run:

* **vbsign**: one ``vbsign.Signer`` with a ``pkcs11:`` key → ``sign_many`` (one session,
  one login for the whole batch; hashing on the host, raw ``CKM_RSA_PKCS``);
* **pyHanko**: for every document ``open_pkcs11_session`` (C_Initialize is cached by
  python-pkcs11, so this is open session + C_Login) → ``PKCS11Signer`` (certificate and key
  looked up by label) → ``PdfSigner.sign_pdf`` → ``session.close()`` — what an integration
  that "just signs a file" with pyHanko does.

Printed figures:

1. *token time*: the token's own signing time per signature (C_Sign through python-pkcs11,
   median), for the raw and the hash-and-sign mechanism;
2. *key-path overhead beyond the token's own signing time*, per document, without PDF work
   (medians, robust to a busy machine): vbsign = median ``sign_blocking`` + (open + login) / N
   − raw C_Sign time; pyHanko = median(session + login + lookup + ``async_sign_raw`` + close)
   − hashed C_Sign time. The target for vbsign is ≤ 5 ms;
3. the end-to-end PDF batch (PAdES B-B, N documents): seconds per document and the ratio.

SoftHSM logs in in a few milliseconds; a USB token takes 100–500 ms per login, so the
pyHanko per-document-session pattern costs far more on real hardware than shown here.

Usage: python benchmarks/bench_token.py [N]   (default N=50). The last line is exactly
``overhead_ms=<vbsign> pyhanko_overhead_ms=<pyhanko> batch_ratio=<pyhanko s/doc ÷ vbsign s/doc>``.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
PIN = "bench-1234"
TOKEN = "Bench Token Bộ KH&CN"
LABEL = "Nguyễn Văn A"


def provision(root: Path, pki: Any) -> None:
    """A private SoftHSM2 token holding the test PKI's Deputy Minister key, cert and CA."""
    import pkcs11
    from cryptography.hazmat.primitives import serialization
    from pkcs11 import Attribute
    from pkcs11.util.rsa import decode_rsa_private_key
    from pkcs11.util.x509 import decode_x509_certificate

    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", "so-" + PIN],
        check=True,
        capture_output=True,
    )
    key = serialization.load_der_private_key(pki.private_key("person").dump(), None)
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    lib = pkcs11.lib(MODULE)
    with lib.get_token(token_label=TOKEN).open(rw=True, user_pin=PIN) as s:
        s.create_object(
            {**decode_rsa_private_key(der), Attribute.TOKEN: True, Attribute.ID: b"\x01", Attribute.LABEL: LABEL,
             Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False, Attribute.SIGN: True}
        )
        for lbl, cert, ident in (
            (LABEL, pki.cert("person"), b"\x01"),
            ("gov-ca", pki.cert("gov-ca"), b"ca"),
            ("gov-root", pki.cert("gov-root"), b"root"),
        ):
            s.create_object({**decode_x509_certificate(cert.dump()), Attribute.TOKEN: True,
                             Attribute.LABEL: lbl, Attribute.ID: ident})


def token_sign_time(n: int) -> tuple[float, float]:
    """Median seconds of one C_Sign: raw RSA_PKCS on a DigestInfo, and SHA256_RSA_PKCS."""
    import hashlib

    import pkcs11
    from asn1crypto import algos, core
    from pkcs11 import Mechanism, ObjectClass

    lib = pkcs11.lib(MODULE)
    data = b"x" * 120
    di = algos.DigestInfo(
        {"digest_algorithm": {"algorithm": "sha256", "parameters": core.Null()},
         "digest": hashlib.sha256(data).digest()}
    ).dump()
    with lib.get_token(token_label=TOKEN).open(user_pin=PIN) as s:
        key = s.get_key(ObjectClass.PRIVATE_KEY, label=LABEL)
        raw, hashed = [], []
        for _ in range(n):
            t = time.perf_counter()
            key.sign(di, mechanism=Mechanism.RSA_PKCS)
            raw.append(time.perf_counter() - t)
            t = time.perf_counter()
            key.sign(data, mechanism=Mechanism.SHA256_RSA_PKCS)
            hashed.append(time.perf_counter() - t)
    return statistics.median(raw), statistics.median(hashed)


def vbsign_key_path(uri: str, n: int) -> float:
    """Seconds per signature: median ``sign_blocking`` + (open + login) / n."""
    from vbsign.backends import open_key

    data = b"x" * 120
    t = time.perf_counter()
    key = open_key(uri, pin=PIN)
    mech = key.pyhanko_signer().get_signature_mechanism_for_digest("sha256")
    key.login()  # type: ignore[attr-defined]
    setup = time.perf_counter() - t
    calls = []
    for _ in range(n):
        t = time.perf_counter()
        key.sign_blocking(data, "sha256", mech)  # type: ignore[attr-defined]
        calls.append(time.perf_counter() - t)
    key.close()
    return statistics.median(calls) + setup / n


def pyhanko_key_path(n: int) -> float:
    """Seconds per signature: median of (session + login + lookup + sign + close)."""
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11 as p11

    data = b"x" * 120

    async def one() -> None:
        session = p11.open_pkcs11_session(MODULE, token_criteria=TokenCriteria(label=TOKEN), user_pin=PIN)
        try:
            signer = p11.PKCS11Signer(session, cert_label=LABEL, other_certs_to_pull=("gov-ca", "gov-root"))
            await signer.ensure_objects_loaded()
            await signer.async_sign_raw(data, "sha256")
        finally:
            session.close()

    async def run_all() -> list[float]:
        out = []
        for _ in range(n):
            t = time.perf_counter()
            await one()
            out.append(time.perf_counter() - t)
        return out

    return statistics.median(asyncio.run(run_all()))


def pyhanko_pdf_batch(pdfs: list[bytes]) -> float:
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import pkcs11 as p11
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    meta = signers.PdfSignatureMetadata(field_name="ChuKy1", md_algorithm="sha256", subfilter=SigSeedSubFilter.PADES)
    t = time.perf_counter()
    for data in pdfs:
        session = p11.open_pkcs11_session(MODULE, token_criteria=TokenCriteria(label=TOKEN), user_pin=PIN)
        try:
            signer = p11.PKCS11Signer(session, cert_label=LABEL, other_certs_to_pull=("gov-ca", "gov-root"))
            out = signers.PdfSigner(meta, signer=signer).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data)))
            assert len(out.getvalue()) > len(data)
        finally:
            session.close()
    return (time.perf_counter() - t) / len(pdfs)


def vbsign_pdf_batch(uri: str, pki: Any, pdfs: list[bytes], tmp: Path) -> tuple[float, Any]:
    from datetime import datetime, timezone

    from vbsign import api
    from vbsign.pki.validation import Services

    src = tmp / "in"
    src.mkdir()
    for i, data in enumerate(pdfs):
        (src / f"doc{i:04d}.pdf").write_bytes(data)
    t0 = datetime(2026, 12, 1, 3, tzinfo=timezone.utc)
    t = time.perf_counter()
    with api.Signer(uri, key_options={"pin": PIN}, trust=pki.roots, level="B-B",
                    services=Services(online=False, fetcher_backend=pki.fetcher_backend(t0)),
                    clock=lambda: t0) as signer:
        result = signer.sign_many(src, tmp / "out")
        stats = (signer.key.login_count, signer.key.signature_count, signer.key.token_seconds)  # type: ignore[attr-defined]
    assert result.ok, result.summary().en
    return (time.perf_counter() - t) / len(pdfs), stats


def main(n: int = 50) -> None:
    logging.disable(logging.WARNING)
    from vbsign import testpki
    from vbsign.backends.pkcs11_uri import Pkcs11Uri, format_uri
    from vbsign.testpki.samples import official_document_pdf

    pki = testpki.load()
    tmp = Path(tempfile.mkdtemp(prefix="vbsign-bench-token-"))
    provision(tmp, pki)
    uri = format_uri(Pkcs11Uri(token=TOKEN, object=LABEL, module_path=MODULE))
    pdf = official_document_pdf()

    raw, hashed = token_sign_time(max(n, 20))
    # warm-up (imports, first session) outside the timings
    vbsign_key_path(uri, 2)
    pyhanko_key_path(2)
    vb_key = vbsign_key_path(uri, n)
    ph_key = pyhanko_key_path(n)
    vb_over = (vb_key - raw) * 1000
    ph_over = (ph_key - hashed) * 1000

    ph_pdf = pyhanko_pdf_batch([pdf] * n)
    vb_pdf, (logins, sigs, token_s) = vbsign_pdf_batch(uri, pki, [pdf] * n, tmp)

    print(f"python {sys.version.split()[0]}, SoftHSM2 token, RSA-2048, N={n}")
    print(f"token's own signing time (C_Sign): raw RSA_PKCS {raw * 1000:.2f} ms, SHA256_RSA_PKCS {hashed * 1000:.2f} ms")
    print(f"key path per signature:  vbsign {vb_key * 1000:.2f} ms (one session + login for all)"
          f" | pyHanko {ph_key * 1000:.2f} ms (session + login + lookup each time)")
    print(f"overhead beyond the token's signing time: vbsign {vb_over:.2f} ms/doc (target <= 5 ms)"
          f" | pyHanko {ph_over:.2f} ms/doc")
    print(f"PDF batch B-B: vbsign {vb_pdf * 1000:.1f} ms/doc ({logins} login, {sigs} signatures, "
          f"{token_s / max(sigs, 1) * 1000:.2f} ms/signature inside the token)"
          f" | pyHanko {ph_pdf * 1000:.1f} ms/doc")
    print(f"overhead_ms={vb_over:.2f} pyhanko_overhead_ms={ph_over:.2f} batch_ratio={ph_pdf / vb_pdf:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
