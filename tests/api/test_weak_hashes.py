"""SHA-1 and MD5 are refused for new signatures everywhere (TT 15/2025 Annex I item 1.3), with a
bilingual error and nothing written; old SHA-1 signatures are still verified as before."""

from __future__ import annotations

import asyncio
import io
from datetime import datetime, timezone

import pytest

from tests._fixtures.cli import invoke
from vbsign import api
from vbsign._core.algorithms import normalise_hash_name, require_signing_hash
from vbsign._core.errors import InputError
from vbsign.backends import open_key
from vbsign.model.report import Indication

T0 = datetime(2026, 12, 1, 3, 0, 0, tzinfo=timezone.utc)
XML = "<?xml version='1.0' encoding='UTF-8'?><VanBan><So>12/QĐ-CĐSQG</So></VanBan>".encode()


def _bilingual(e: InputError, label: str) -> None:
    assert f"Không tạo chữ ký mới bằng {label}" in e.message_vi
    assert f"No new signature with {label}" in e.message_en and "Circular 15/2025" in e.message_en
    assert "vẫn được kiểm tra" in e.message_vi  # verification of old signatures is not affected


@pytest.mark.parametrize(("name", "label"), [("sha1", "SHA-1"), ("SHA-1", "SHA-1"), ("md5", "MD5"), ("sha224", "SHA-224")])
def test_api_refuses_weak_hashes_for_every_format(name, label, pki_dir, sample_pdf, tmp_path):
    out = tmp_path / "out.pdf"
    for data in (sample_pdf, XML, b"any file"):
        with pytest.raises(InputError) as ei:
            api.sign(data, out, key=pki_dir / "person.p12", passphrase="vbsign-test", md_algorithm=name, level="B-B")
        _bilingual(ei.value, label)
    with pytest.raises(InputError) as ei:
        api.Signer(pki_dir / "agency.p12", passphrase="vbsign-test", md_algorithm=name)
    _bilingual(ei.value, label)
    assert not out.exists()


def test_lower_layers_refuse_too(pki_dir, sample_pdf):
    """PDF, XAdES and CAdES signing functions check again (a plugin or a host calling them)."""
    from vbsign.formats.cades import CadesOptions, sign_cades
    from vbsign.formats.pades.sign import PdfSignOptions, sign_pdf
    from vbsign.formats.xades.sign import XadesOptions, sign_xades

    with open_key(pki_dir / "person.p12", passphrase="vbsign-test") as key:
        calls = (
            sign_pdf(sample_pdf, key, PdfSignOptions(level="B-B", md_algorithm="sha1"), now=T0, timestamper=None, validation_context=None),
            sign_xades(XML, key, XadesOptions(level="B-B", digest_algorithm="sha1"), now=T0),
            sign_cades(b"x", key, CadesOptions(level="B-B", md_algorithm="md5"), now=T0),
        )
        for call in calls:
            with pytest.raises(InputError) as ei:
                asyncio.run(call)
            assert "Circular 15/2025" in ei.value.message_en


def test_allowed_names_and_spellings():
    assert require_signing_hash("SHA-256") == "sha256"
    assert require_signing_hash("sha3-256") == "sha3_256" and require_signing_hash("SHA384") == "sha384"
    assert normalise_hash_name("SHA-512/256") == "sha512_256"
    with pytest.raises(InputError) as ei:
        require_signing_hash("whirlpool")
    assert "Not a hash function for new signatures" in ei.value.message_en


def test_sha384_still_signs(sign_as, verify_at, sample_pdf):
    signed = sign_as("person", sample_pdf, level="B-B", md_algorithm="sha384", field="A")
    report = verify_at(signed, fetch=True)
    assert report.signatures[0].integrity.digest_algorithm == "sha384"
    assert report.indication is Indication.TOTAL_PASSED


def test_cli_refuses_sha1_with_a_bilingual_message(tmp_path, pki_dir, sample_pdf_path):
    out = tmp_path / "out.pdf"
    env = {"COLUMNS": "200", "VBSIGN_LANG": None, "VB_PASS": "vbsign-test"}
    cmd = ["sign", str(sample_pdf_path), "-o", str(out), "--key", str(pki_dir / "person.p12"),
           "--passphrase-env", "VB_PASS", "--level", "b-b", "--offline", "--hash", "sha1"]
    proc = invoke(cmd, env=env)
    assert proc.returncode == 3, proc.stderr
    assert "Không tạo chữ ký mới bằng SHA-1" in proc.stderr and "Traceback" not in proc.stderr
    en = invoke(["--lang", "en", *cmd], env=env)
    assert en.returncode == 3 and "No new signature with SHA-1" in en.stderr
    assert not out.exists()


def test_old_sha1_signatures_are_still_verified(pki, sample_pdf, services):
    """A SHA-1 signature made by other software: read and reported (not TOTAL-PASSED), as before."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    signer = signers.SimpleSigner(
        signing_cert=pki.cert("person"), signing_key=pki.private_key("person"),
        cert_registry=SimpleCertificateStore.from_certs(pki.chain("person")),
    )

    async def go() -> bytes:
        w = IncrementalPdfFileWriter(io.BytesIO(sample_pdf))
        meta = signers.PdfSignatureMetadata(field_name="Cu", md_algorithm="sha1")
        return bytes((await signers.PdfSigner(meta, signer=signer).async_sign_pdf(w)).getvalue())

    report = api.verify(asyncio.run(go()), trust=pki.roots, now=T0, services=services)
    sig = report.signatures[0]
    assert sig.integrity is not None and sig.integrity.digest_algorithm == "sha1" and sig.integrity.intact
    assert report.indication is not Indication.TOTAL_PASSED
