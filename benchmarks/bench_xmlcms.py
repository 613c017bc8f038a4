"""Benchmark: XAdES, CAdES and safe XML parsing, against baselines measured in the same run.

* XAdES B-B sign / verify (software RSA-2048, a 30 KB Vietnamese XML document): vbsign vs
  signxml 5 (``XAdESSigner`` / ``XAdESVerifier`` with a given certificate — no revocation,
  no chain policy: the cheapest possible baseline);
* CAdES B-B detached sign of a 1 MB file: vbsign (``Signer.sign``, pre-sign check cached) vs
  pyHanko's ``async_sign_general_data`` called directly with the same key;
* CAdES verify (integrity + path + revocation from the embedded data) vs pyHanko's
  ``async_validate_detached_cms`` (integrity + path only);
* hardened parse of a 4 MB XML vs plain ``lxml.etree.fromstring``;
* rejection of a "billion laughs" document (time per refusal).

Each pair alternates in rounds (who goes first alternates); prints min and median
milliseconds per operation and ratios (vbsign median / baseline median, lower is better); the last line is exactly
``xades_sign_ratio=<x> xades_verify_ratio=<y> cades_sign_ratio=<z> cades_verify_ratio=<w> parse_ratio=<v>``.

Usage: python benchmarks/bench_xmlcms.py [N]   (default N=20)
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any


def _ms(fn: Callable[[], Any], n: int) -> float:
    fn()  # warm-up
    t = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t) / n * 1000


ROUNDS = 5


def _pair(ours: Callable[[], Any], base: Callable[[], Any], n: int) -> tuple[list[float], list[float]]:
    """Milliseconds per call of ``ours`` and ``base``, one figure per round; the two take turns
    (alternating which goes first), so a change of CPU speed affects both alike."""
    ours(), base()  # warm-up
    per_round = max(1, n // ROUNDS)
    a: list[float] = []
    b: list[float] = []
    for r in range(ROUNDS):
        for fn, acc in ((ours, a), (base, b)) if r % 2 == 0 else ((base, b), (ours, a)):
            t = time.perf_counter()
            for _ in range(per_round):
                fn()
            acc.append((time.perf_counter() - t) / per_round * 1000)
    return a, b


def _row(label: str, peer: str, times: tuple[list[float], list[float]], note: str = "") -> str:
    a, b = times
    return (f"{label:<30} vbsign {min(a):7.1f} / {statistics.median(a):7.1f} ms   "
            f"{peer} {min(b):7.1f} / {statistics.median(b):7.1f} ms  {note}").rstrip()


def _ratio(times: tuple[list[float], list[float]]) -> float:
    return statistics.median(times[0]) / statistics.median(times[1])


def main(n: int = 20) -> None:
    logging.disable(logging.WARNING)
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import load_der_private_key
    from lxml import etree
    from signxml import methods
    from signxml.xades import XAdESSignatureConfiguration, XAdESSigner, XAdESVerifier

    from vbsign import api, testpki
    from vbsign.formats.xades import safe
    from vbsign.pki.validation import Services

    t0 = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)
    pki = testpki.load()
    tmp = Path(tempfile.mkdtemp(prefix="vbsign-bench-xml-"))
    (tmp / "person.p12").write_bytes(pki.pkcs12("person", "bench"))
    svc = Services(online=False, fetcher_backend=pki.fetcher_backend(t0))
    body = "".join(f"<Dieu so='{i}'>Điều {i}. Phê duyệt kế hoạch năm 2027 của Bộ Khoa học và Công nghệ.</Dieu>" for i in range(250))
    xml = f'<?xml version="1.0" encoding="UTF-8"?><QuyetDinh xmlns="urn:vn:qd">{body}</QuyetDinh>'.encode()
    blob = bytes(range(256)) * 4096  # 1 MiB
    pyca_key = load_der_private_key(pki.private_key("person").dump(), None)
    pyca_cert = x509.load_der_x509_certificate(pki.cert("person").dump())

    signer = api.Signer(tmp / "person.p12", passphrase="bench", trust=pki.roots, level="B-B", services=svc,
                        clock=lambda: t0)
    # XAdES sign
    sx = XAdESSigner(method=methods.enveloping)
    xs = _pair(lambda: signer.sign(xml, packaging="enveloping"),
               lambda: etree.tostring(sx.sign(etree.fromstring(xml), key=pyca_key, cert=[pyca_cert])), n)
    # XAdES verify (ours: full verdict with revocation; baseline: signature + references only)
    signed_xml = signer.sign(xml, packaging="enveloping").data
    cfg = XAdESSignatureConfiguration(expect_references=2, verification_time=t0)
    xv = _pair(lambda: api.verify(signed_xml, trust=pki.roots, now=t0, services=svc),
               lambda: XAdESVerifier().verify(signed_xml, x509_cert=pyca_cert, expect_config=cfg), n)
    # CAdES sign
    pyh = signer.key.pyhanko_signer()
    cs = _pair(lambda: signer.sign(blob),
               lambda: asyncio.run(pyh.async_sign_general_data(blob, "sha256", detached=True, use_cades=True)), n)
    # CAdES verify
    p7s = signer.sign(blob).data
    from asn1crypto import cms
    from pyhanko.sign.validation import async_validate_detached_cms
    from pyhanko_certvalidator import ValidationContext

    sd = cms.ContentInfo.load(p7s)["content"]

    def base_verify() -> None:
        vc = ValidationContext(trust_roots=pki.roots, other_certs=pki.intermediates, allow_fetching=False,
                               revocation_mode="soft-fail", moment=t0)
        asyncio.run(async_validate_detached_cms(blob, sd, signer_validation_context=vc))

    cv = _pair(lambda: api.verify(p7s, trust=pki.roots, now=t0, services=svc, content=blob), base_verify, n)
    # parsing
    big = b"<r>" + b"".join(f"<e i='{i}'>Văn bản {i}</e>".encode() for i in range(150_000)) + b"</r>"
    pp = _pair(lambda: safe.parse(big), lambda: etree.fromstring(big), max(ROUNDS, n // 4))
    laughs = b'<!DOCTYPE l [<!ENTITY a "aaaaaaaa">' + b"".join(
        f'<!ENTITY a{i} "{("&a" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode() for i in range(1, 10)
    ) + b"]><l>&a9;</l>"

    def refuse() -> None:
        try:
            safe.parse(laughs)
        except safe.UnsafeXmlError:
            pass

    refuse_ms = _ms(refuse, 1000)
    signer.close()

    print(f"{ROUNDS} alternating rounds of {max(1, n // ROUNDS)}; ms per call, min / median")
    print(_row("XAdES B-B sign (30 KB XML)", "signxml", xs))
    print(_row("XAdES verify (30 KB XML)", "signxml", xv, "(vbsign adds path + revocation)"))
    print(_row("CAdES B-B sign (1 MiB)", "pyHanko", cs))
    print(_row("CAdES verify (1 MiB)", "pyHanko", cv, "(vbsign adds revocation + verdict)"))
    print(_row(f"safe parse ({len(big) / 1e6:.1f} MB XML)", "lxml   ", pp))
    print(f"billion laughs refused in {refuse_ms * 1000:.0f} µs")
    print(
        f"xades_sign_ratio={_ratio(xs):.2f} xades_verify_ratio={_ratio(xv):.2f} "
        f"cades_sign_ratio={_ratio(cs):.2f} cades_verify_ratio={_ratio(cv):.2f} "
        f"parse_ratio={_ratio(pp):.2f}"
    )

if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
