"""PAdES signing at every level, double signatures, certification, algorithms."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from vbsign import api
from vbsign.model.report import Indication, SubIndication

LEVELS = ["B-B", "B-T", "B-LT", "B-LTA"]


@pytest.mark.parametrize("level", LEVELS)
def test_each_level_signs_and_verifies(level, sign_as, verify_at, sample_pdf, t0):
    signed = sign_as("person", sample_pdf, level=level)
    # B-B/B-T carry no revocation data: verify with the (in-process) revocation source
    report = verify_at(signed, fetch=level in ("B-B", "B-T"))
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()
    (sig,) = [s for s in report.signatures if s.kind == "signature"]
    assert sig.level == level
    assert sig.signer is not None and sig.signer.common_name == "Nguyễn Văn A"
    assert sig.integrity is not None and sig.integrity.intact and sig.integrity.signature_valid
    assert sig.revocation is not None and sig.revocation.status == "good"
    if level == "B-B":
        assert sig.signing_time_source == "claimed"
        assert sig.has_finding("SIGNING_TIME_UNPROVEN")
    else:
        assert sig.signing_time_source == "timestamp"
        assert sig.timestamp is not None and sig.timestamp.trusted
        assert abs(sig.signing_time - t0) < timedelta(seconds=5)
    if level in ("B-LT", "B-LTA"):
        assert sig.revocation.source == "embedded"
    if level == "B-LTA":
        assert any(s.kind == "document-timestamp" and s.indication is Indication.TOTAL_PASSED for s in report.signatures)


def test_bb_offline_without_revocation_data_is_indeterminate(sign_as, verify_at, sample_pdf):
    report = verify_at(sign_as("person", sample_pdf, level="B-B"))
    assert report.indication is Indication.INDETERMINATE
    assert report.sub_indication is SubIndication.TRY_LATER
    assert report.signatures[0].has_finding("REVOCATION_UNAVAILABLE")
    assert report.exit_code == 2


def test_leader_then_seal_both_valid(sign_as, verify_at, sample_pdf):
    first = sign_as("person", sample_pdf, field="ChuKyLanhDao")
    both = sign_as("agency", first, field="ConDau")
    report = verify_at(both)
    assert report.indication is Indication.TOTAL_PASSED
    sigs = [s for s in report.signatures if s.kind == "signature"]
    assert [s.field_name for s in sigs] == ["ChuKyLanhDao", "ConDau"]
    assert [s.signer.common_name for s in sigs if s.signer] == ["Nguyễn Văn A", "CỤC CHUYỂN ĐỔI SỐ QUỐC GIA"]
    # the leader's signature sees a second signature and DSS updates: allowed changes
    assert sigs[0].modification is not None and sigs[0].modification.level in ("FORM_FILLING", "LTA_UPDATES")
    assert all(s.indication is Indication.TOTAL_PASSED for s in sigs)


def test_certification_signature_then_seal(sign_as, verify_at, sample_pdf):
    certified = sign_as("person", sample_pdf, certify=2)
    report = verify_at(sign_as("agency", certified))
    assert report.indication is Indication.TOTAL_PASSED
    first = report.signatures[0]
    assert first.modification is not None and first.modification.certified
    assert first.modification.docmdp_permission == 2


def test_certification_level_1_forbids_a_second_signature(sign_as, sample_pdf):
    from vbsign._core.errors import SigningError

    certified = sign_as("person", sample_pdf, certify=1)
    with pytest.raises(SigningError) as exc:
        sign_as("agency", certified)
    assert "DocMDP" in exc.value.message_vi


def test_ecdsa_and_pss(sign_as, verify_at, sample_pdf, pki_dir, pki, services, tsa, t0):
    report = verify_at(sign_as("person-ec", sample_pdf))
    assert report.indication is Indication.TOTAL_PASSED
    assert report.signatures[0].integrity.signature_algorithm in ("ecdsa", "sha256_ecdsa")
    pss = api.sign(
        sample_pdf, key=pki_dir / "person.p12", passphrase="vbsign-test", trust=pki.roots, tsa=tsa,
        level="B-LT", services=services, clock=lambda: t0, prefer_pss=True,
    ).data
    report = verify_at(pss)
    assert report.indication is Indication.TOTAL_PASSED
    assert report.signatures[0].integrity.signature_algorithm == "rsassa_pss"


def test_visible_box_on_last_page_and_existing_field(sign_as, verify_at, sample_pdf):
    signed = sign_as("person", sample_pdf, page=-1, box=(350, 100, 550, 180), field="HienThi")
    assert verify_at(signed).indication is Indication.TOTAL_PASSED
    # a second signature into a pre-existing empty field
    from io import BytesIO

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields

    w = IncrementalPdfFileWriter(BytesIO(sample_pdf))
    fields.append_signature_field(w, fields.SigFieldSpec("TruongTrong", box=(10, 10, 100, 50)))
    out = BytesIO()
    w.write(out)
    filled = sign_as("agency", out.getvalue(), field="TruongTrong")
    report = verify_at(filled)
    assert report.indication is Indication.TOTAL_PASSED
    assert report.signatures[0].field_name == "TruongTrong"


def test_refuses_to_sign_an_already_signed_field(sign_as, sample_pdf):
    from vbsign._core.errors import InputError

    signed = sign_as("person", sample_pdf, field="A")
    with pytest.raises(InputError):
        sign_as("agency", signed, field="A")


def test_output_written_atomically_input_untouched(pki_dir, pki, services, tsa, t0, sample_pdf_path: Path, tmp_path):
    before = sample_pdf_path.read_bytes()
    out = tmp_path / "out.pdf"
    res = api.sign(
        sample_pdf_path, out, key=pki_dir / "person.p12", passphrase="vbsign-test", trust=pki.roots,
        tsa=tsa, services=services, clock=lambda: t0,
    )
    assert sample_pdf_path.read_bytes() == before
    assert out.read_bytes() == res.data
    assert not list(tmp_path.glob(".vbsign-*.tmp"))


def test_refuses_to_overwrite_the_input(pki_dir, pki, services, tsa, t0, sample_pdf_path):
    from vbsign._core.errors import InputError

    before = sample_pdf_path.read_bytes()
    with pytest.raises(InputError) as exc:
        api.sign(
            sample_pdf_path, sample_pdf_path, key=pki_dir / "person.p12", passphrase="vbsign-test",
            trust=pki.roots, tsa=tsa, services=services, clock=lambda: t0,
        )
    assert "never overwrites" in exc.value.message_en
    assert sample_pdf_path.read_bytes() == before


def test_level_bt_needs_a_tsa(pki_dir, pki, services, t0, sample_pdf):
    from vbsign._core.errors import InputError

    with pytest.raises(InputError) as exc:
        api.sign(sample_pdf, key=pki_dir / "person.p12", passphrase="vbsign-test", trust=pki.roots,
                 level="B-T", services=services, clock=lambda: t0)
    assert "--tsa" in exc.value.message_vi


def test_wrong_passphrase_is_a_clear_error(pki_dir, pki, services, t0, sample_pdf):
    from vbsign._core.errors import KeyAccessError

    with pytest.raises(KeyAccessError) as exc:
        api.sign(sample_pdf, key=pki_dir / "person.p12", passphrase="sai-mat-khau", trust=pki.roots,
                 level="B-B", services=services, clock=lambda: t0)
    assert "sai mật khẩu" in exc.value.message_vi
    assert "sai-mat-khau" not in str(exc.value)


def test_non_pdf_input_is_signed_as_cades_not_as_pdf(pki_dir, pki, services, t0):
    """Anything that is not a PDF or XML gets a detached CAdES signature (issue #8)."""
    from vbsign.model.report import Indication as Ind

    res = api.sign(b"hello world", key=pki_dir / "person.p12", passphrase="vbsign-test", trust=pki.roots,
                   level="B-B", services=services, clock=lambda: t0)
    assert res.format == "cades"
    assert not res.data.startswith(b"%PDF")
    report = api.verify(res.data, trust=pki.roots, now=t0, services=services, content=b"hello world")
    assert report.indication is Ind.TOTAL_PASSED


def test_garbage_claiming_to_be_pdf_is_format_failure(verify_at):
    report = verify_at(b"%PDF-1.7\n this is not really a PDF")
    assert report.indication is Indication.TOTAL_FAILED
    assert report.sub_indication is SubIndication.FORMAT_FAILURE


def test_damaged_pdf_file_is_refused_not_signed_as_cades(pki_dir, pki, services, t0, tmp_path):
    """A file named .pdf that is not a PDF is refused by the library (and so by batches)."""
    from vbsign._core.errors import InputError

    bad = tmp_path / "hong.pdf"
    bad.write_bytes(b"this is not a PDF")
    with pytest.raises(InputError) as exc:
        api.sign(bad, tmp_path / "out.pdf", key=pki_dir / "person.p12", passphrase="vbsign-test", trust=pki.roots,
                 level="B-B", services=services, clock=lambda: t0)
    assert "không phải PDF" in exc.value.message_vi
    assert not (tmp_path / "out.pdf").exists()
    res = api.sign(bad, key=pki_dir / "person.p12", passphrase="vbsign-test", trust=pki.roots, level="B-B",
                   services=services, clock=lambda: t0, format="cades")
    assert res.format == "cades"
