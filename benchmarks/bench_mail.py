"""Benchmark: S/MIME signing and verification, vbsign vs the alternatives, in the same run.

* signing — vbsign: one ``vbsign.Signer`` reused (pre-signing check incl. revocation cached),
  ``vbsign.mail.sign_message`` per message (7-bit re-encoding, header protection, signing
  time + S/MIME capabilities + ESS attributes, self-check of the signed bytes);
  alternative: pyca/cryptography's ``PKCS7SignatureBuilder`` writing S/MIME (detached, the
  key parsed once) — the fastest in-process S/MIME signer for a software key;
* verification — vbsign: ``vbsign.mail.verify_message`` per message (MIME parsing,
  chain, revocation from the in-process test PKI, every MIME part, sender check);
  alternative: pyHanko's ``validate_detached_cms`` on the same first-part bytes (located for
  it in advance: it has no MIME support) with a hard-fail revocation ``ValidationContext``
  on the same in-process PKI — the same cryptographic and path work, nothing else. For
  information, ``openssl smime -verify`` (chain only, no revocation; one process per message,
  OpenSSL has no batch mode) is measured too.

The two sides take turns in several rounds (CPU-speed drift on a shared machine hits both
alike); the output gives messages/s (min and median over rounds) and the ratios; the last
line is exactly ``sign_ratio=<x> verify_ratio=<y>`` (vbsign / cryptography for signing,
vbsign / pyHanko for verification; medians).

Usage: python benchmarks/bench_mail.py [N] [ROUNDS]   (default N=40, ROUNDS=5)
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests._fixtures.smime
T0 = datetime(2026, 12, 1, 3, 0, 0, tzinfo=timezone.utc)


def _rate(fn: Callable[[], object], n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        fn()
    return n / (time.perf_counter() - started)


def main(n: int = 40, rounds: int = 5) -> None:
    import logging

    logging.disable(logging.WARNING)
    from asn1crypto import pem
    from cryptography import x509 as pyca_x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs7

    from tests._fixtures.smime import vietnamese_message
    from vbsign import Signer, testpki
    from vbsign.formats.smime.mime import serialise
    from vbsign.mail import sign_message, verify_message
    from vbsign.pki.validation import Services
    from vbsign.testpki.export import write_pki

    pki = testpki.load()
    tmp = Path(tempfile.mkdtemp(prefix="bench-mail-"))
    write_pki(tmp, port=testpki.DEFAULT_PORT, passphrase="bench")
    services = Services(online=False, fetcher_backend=pki.fetcher_backend(T0))
    msg = vietnamese_message()
    signer = Signer(tmp / "mail-person.p12", passphrase="bench", trust=pki.roots, services=services,
                    clock=lambda: T0, level="B-B")  # fmt: skip
    key = serialization.load_der_private_key(pki.private_key("mail-person").dump(), None)
    cert = pyca_x509.load_der_x509_certificate(pki.cert("mail-person").dump())
    body = serialise(msg)

    def ours_sign() -> bytes:
        return sign_message(msg, signer=signer).data

    def pyca_sign() -> bytes:
        builder = pkcs7.PKCS7SignatureBuilder().set_data(body).add_signer(cert, key, hashes.SHA256())  # type: ignore[arg-type]
        return builder.sign(serialization.Encoding.SMIME, [pkcs7.PKCS7Options.DetachedSignature])

    signed = ours_sign()
    (tmp / "signed.eml").write_bytes(signed)
    (tmp / "roots.pem").write_bytes(b"".join(pem.armor("CERTIFICATE", c.dump()) for c in pki.roots))
    (tmp / "chain.pem").write_bytes(b"".join(pem.armor("CERTIFICATE", c.dump()) for c in pki.intermediates))

    def ours_verify() -> object:
        rep = verify_message(signed, trust=pki.roots, now=T0, services=services).report
        assert rep.valid
        return rep

    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
    from pyhanko_certvalidator import ValidationContext

    from vbsign.formats.smime.raw import parse_entity

    top = parse_entity(signed)
    part = top.children[0].data
    sig_der = __import__("base64").b64decode(top.children[1].body)
    sd = cms.ContentInfo.load(sig_der)["content"]

    def pyhanko_verify() -> object:
        vc = ValidationContext(
            trust_roots=pki.roots, other_certs=pki.intermediates, moment=T0, allow_fetching=True,
            fetcher_backend=pki.fetcher_backend(T0), revocation_mode="hard-fail",
        )  # fmt: skip
        async def run() -> object:
            try:
                return await async_validate_detached_cms(part, sd, signer_validation_context=vc)
            finally:
                await vc.aclose()

        status = asyncio.run(run())
        assert status.bottom_line  # type: ignore[attr-defined]
        return status

    def openssl_verify() -> object:
        return subprocess.run(
            ["openssl", "smime", "-verify", "-in", str(tmp / "signed.eml"), "-CAfile", str(tmp / "roots.pem"),
             "-certfile", str(tmp / "chain.pem"), "-attime", str(int(T0.timestamp())), "-out", "/dev/null"],
            check=True, capture_output=True,
        )  # fmt: skip

    sides = {"ours_sign": ours_sign, "pyca_sign": pyca_sign, "ours_verify": ours_verify,
             "pyhanko_verify": pyhanko_verify, "openssl_verify": openssl_verify}  # fmt: skip
    rates: dict[str, list[float]] = {name: [] for name in sides}
    for fn in sides.values():  # warm-up
        fn()
    for _ in range(rounds):
        for name, fn in sides.items():
            rates[name].append(_rate(fn, n))
    signer.close()
    for name, values in rates.items():
        print(f"{name:15s} min {min(values):7.1f} msg/s   median {statistics.median(values):7.1f} msg/s")
    sign_ratio = statistics.median(rates["ours_sign"]) / statistics.median(rates["pyca_sign"])
    verify_ratio = statistics.median(rates["ours_verify"]) / statistics.median(rates["pyhanko_verify"])
    print(f"sign_ratio={sign_ratio:.2f} verify_ratio={verify_ratio:.2f}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
