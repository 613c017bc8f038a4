"""CAdES for any file: detached .p7s / enveloping .p7m, B-B/B-T/B-LT, OpenSSL interoperability."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms

from vbsign import api
from vbsign.model.report import Indication, SubIndication
from vbsign.testpki import pem_bundle

DOCX = b"PK\x03\x04" + "Báo cáo tổng kết năm 2026 — Bộ KH&CN".encode() * 200
openssl = shutil.which("openssl")


@pytest.mark.parametrize("level", ["B-B", "B-T", "B-LT"])
@pytest.mark.parametrize("packaging", ["detached", "enveloping"])
def test_round_trip(sign_as: Any, verify_at: Any, level: str, packaging: str) -> None:
    signed = sign_as("person", DOCX, level=level, packaging=packaging)
    ci = cms.ContentInfo.load(signed)
    assert ci["content_type"].native == "signed_data"
    report = verify_at(signed, fetch=level != "B-LT", content=DOCX if packaging == "detached" else None)
    sig = report.signatures[0]
    assert report.indication is Indication.TOTAL_PASSED, [f.code for f in sig.findings]
    assert report.document.format == "cms"
    assert sig.level == level
    assert sig.signing_time_source == ("claimed" if level == "B-B" else "timestamp")
    assert {"signing_certificate_v2", "signing_time", "message_digest", "content_type"} <= set(sig.signed_attributes)
    assert sig.signed_scope[0].startswith("content: " + ("detached" if packaging == "detached" else "enveloped"))
    if level == "B-LT":
        assert sig.revocation.source == "embedded"
        assert ci["content"]["version"].native == "v5"  # OCSP as "other" revocation info


def test_tampered_missing_and_wrong_content(sign_as: Any, verify_at: Any) -> None:
    p7s = sign_as("person", DOCX, level="B-B")
    assert verify_at(p7s, fetch=True).sub_indication is SubIndication.SIGNED_DATA_NOT_FOUND
    assert verify_at(p7s, fetch=True, content=DOCX + b"!").sub_indication is SubIndication.HASH_FAILURE
    p7m = bytearray(sign_as("person", DOCX, level="B-B", packaging="enveloping"))
    i = bytes(p7m).index(b"2026")
    p7m[i] ^= 1
    assert verify_at(bytes(p7m), fetch=True).sub_indication is SubIndication.HASH_FAILURE


def test_files_and_default_content_next_to_the_p7s(sign_as: Any, verify_at: Any, tmp_path: Path) -> None:
    doc = tmp_path / "bao-cao.docx"
    doc.write_bytes(DOCX)
    p7s = tmp_path / "bao-cao.docx.p7s"
    p7s.write_bytes(sign_as("person", doc, level="B-T"))
    report = verify_at(p7s, fetch=True)  # content found next to the signature
    assert report.indication is Indication.TOTAL_PASSED
    assert "bao-cao.docx" in report.signatures[0].signed_scope[0]


def test_enveloping_signature_around_a_pdf_is_cades(sign_as: Any, verify_at: Any, sample_pdf: bytes) -> None:
    p7m = sign_as("person", sample_pdf, level="B-B", format="cades", packaging="enveloping")
    report = verify_at(p7m, fetch=True)
    assert report.document.format == "cms" and report.indication is Indication.TOTAL_PASSED


@pytest.mark.skipif(openssl is None, reason="openssl not installed")
def test_openssl_accepts_our_p7s_and_p7m(sign_as: Any, pki: Any, tmp_path: Path, t0: Any) -> None:
    roots = tmp_path / "roots.pem"
    roots.write_bytes(pem_bundle(pki.roots))
    content = tmp_path / "report.docx"
    content.write_bytes(DOCX)
    at = str(int(t0.timestamp()))
    for level in ("B-B", "B-LT"):
        p7s = tmp_path / f"report-{level}.p7s"
        p7s.write_bytes(sign_as("person", DOCX, level=level))
        proc = subprocess.run(
            [openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", str(p7s), "-content", str(content),
             "-CAfile", str(roots), "-purpose", "any", "-attime", at, "-out", "/dev/null"],
            capture_output=True, text=True, timeout=30,
        )
        assert proc.returncode == 0 and "Verification successful" in proc.stderr, proc.stderr
    p7m = tmp_path / "report.p7m"
    p7m.write_bytes(sign_as("person", DOCX, level="B-T", packaging="enveloping"))
    out = tmp_path / "extracted"
    proc = subprocess.run(
        [openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", str(p7m), "-CAfile", str(roots),
         "-purpose", "any", "-attime", at, "-out", str(out)],
        capture_output=True, text=True, timeout=30,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == DOCX
    # and OpenSSL rejects a tampered content
    content.write_bytes(DOCX + b"x")
    proc = subprocess.run(
        [openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", str(tmp_path / "report-B-B.p7s"),
         "-content", str(content), "-CAfile", str(roots), "-purpose", "any", "-attime", at, "-out", "/dev/null"],
        capture_output=True, text=True, timeout=30,
    )
    assert proc.returncode != 0


@pytest.mark.skipif(openssl is None, reason="openssl not installed")
@pytest.mark.parametrize("cades", [False, True], ids=["cms", "cades"])
def test_we_accept_openssl_signatures(pki: Any, pki_dir: Path, tmp_path: Path, verify_at: Any, cades: bool) -> None:
    from datetime import datetime, timezone

    key = tmp_path / "person.key.pem"
    subprocess.run(
        [openssl, "pkcs12", "-in", str(pki_dir / "person.p12"), "-nodes", "-passin", "pass:vbsign-test", "-out", str(key)],
        check=True, capture_output=True, timeout=30,
    )
    content = tmp_path / "report.docx"
    content.write_bytes(DOCX)
    p7s = tmp_path / "report.docx.p7s"
    cmd = [openssl, "cms", "-sign", "-binary", "-in", str(content), "-signer", str(key), "-outform", "DER",
           "-out", str(p7s), "-md", "sha256"]
    if cades:
        cmd.append("-cades")
    subprocess.run(cmd, check=True, capture_output=True, timeout=30)
    # openssl stamps the wall-clock signing time: validate at that moment
    report = verify_at(p7s.read_bytes(), when=datetime.now(timezone.utc), fetch=True, content=content)
    sig = report.signatures[0]
    assert sig.integrity.intact and sig.integrity.signature_valid
    assert sig.signer.common_name == "Nguyễn Văn A"
    assert report.indication is Indication.TOTAL_PASSED, [f.code for f in sig.findings]
    assert sig.level == ("B-B" if cades else None)
    tampered = verify_at(p7s.read_bytes(), fetch=True, content=DOCX[:-1])
    assert tampered.sub_indication is SubIndication.HASH_FAILURE


def test_pem_output_is_accepted(pki_dir: Path, pki: Any, services: Any, t0: Any, verify_at: Any) -> None:
    import asyncio

    from vbsign.backends import open_key
    from vbsign.formats.cades import CadesOptions, sign_cades

    with open_key(pki_dir / "person.p12", passphrase="vbsign-test") as key:
        out = asyncio.run(sign_cades(DOCX, key, CadesOptions(level="B-B", pem=True), now=t0))
    assert out.data.startswith(b"-----BEGIN CMS-----")
    assert verify_at(out.data, fetch=True, content=DOCX).indication is Indication.TOTAL_PASSED


def test_garbage_that_looks_like_cms_is_a_format_failure(verify_at: Any) -> None:
    fake = b"\x30\x82\x01\x00\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02" + b"\x00" * 40
    report = verify_at(fake)
    assert report.indication is Indication.TOTAL_FAILED and report.sub_indication is SubIndication.FORMAT_FAILURE


def test_unknown_formats_are_refused_with_a_clear_error() -> None:
    from vbsign._core.errors import UnsupportedFormatError

    with pytest.raises(UnsupportedFormatError) as ei:
        api.verify(b"just some text", trust=[])
    assert "CMS" in ei.value.message_en and "CMS" in ei.value.message_vi


def test_damaged_cms_is_a_verdict_never_a_crash(sign_as: Any, verify_at: Any) -> None:
    """asn1crypto parses lazily: a length byte flipped deep inside (e.g. in the encapsulated
    content) used to surface as a raw ValueError half-way through verification."""
    import random

    from vbsign._core.errors import VbsignError

    p7m = sign_as("person", DOCX, level="B-B", packaging="enveloping")
    i = p7m.index(DOCX[:8])  # the encapsulated content's OCTET STRING header is just before
    hit = bytearray(p7m)
    hit[i - 3] ^= 0x7F  # its length
    assert verify_at(bytes(hit)).indication is not Indication.TOTAL_PASSED
    rng = random.Random(7)
    for _ in range(150):
        b = bytearray(p7m)
        for _ in range(rng.randint(1, 3)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        try:
            report = verify_at(bytes(b))
        except VbsignError:
            continue
        assert report.indication is not Indication.TOTAL_PASSED or bytes(b) == p7m
