"""Placement by text anchor, by existing field, and the seal over an existing signature."""

from __future__ import annotations

import io
import unicodedata

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from vbsign._core.errors import InputError
from vbsign.appearance import Anchor, Appearance, InField, OverSignature
from vbsign.appearance.textpos import TextIndex
from vbsign.appearance.widgets import image_boxes, signature_widgets


def _widget(signed: bytes, name: str):  # type: ignore[no-untyped-def]
    reader = PdfFileReader(io.BytesIO(signed))
    return next(w for w in signature_widgets(reader) if w.name == name), reader


def test_find_is_case_and_normalisation_insensitive(sample_pdf: bytes) -> None:
    idx = TextIndex(sample_pdf)
    kt = idx.find("kt. cục trưởng")
    assert kt.page == 0 and kt.bbox[0] > 297  # the right-hand signature column
    nfd = idx.find(unicodedata.normalize("NFD", "Nguyễn  Văn A"))
    assert nfd.bbox[3] < kt.bbox[1]  # the name is below the title
    # substring in the middle of a line gets its own box, narrower than the line
    sub = idx.find("Tự do")
    assert sub.bbox[2] - sub.bbox[0] < (sub.line.bbox[2] - sub.line.bbox[0]) / 2


def test_occurrences(sample_pdf: bytes) -> None:
    idx = TextIndex(sample_pdf)
    first, last = idx.find("Cục", occurrence=1), idx.find("Cục", occurrence=-1)
    assert first.bbox[1] > last.bbox[1]  # first is higher on the page
    with pytest.raises(InputError):
        idx.find("Cục", occurrence=99)


def test_anchor_not_found_is_a_clear_error_and_nothing_written(tmp_path, sample_pdf_path, pki_dir, pki, services) -> None:  # type: ignore[no-untyped-def]
    from vbsign import api

    out = tmp_path / "out.pdf"
    with pytest.raises(InputError) as ei:
        api.sign(
            sample_pdf_path, out, key=pki_dir / "person.p12", passphrase="vbsign-test", trust=pki.roots,
            level="B-B", services=services, check_revocation=False,
            appearance=Appearance.person(placement=Anchor("PHÓ THỦ TƯỚNG")),
        )
    assert "PHÓ THỦ TƯỚNG" in ei.value.message_vi and "not found" in ei.value.message_en
    assert not out.exists() and not list(tmp_path.glob(".vbsign-*"))


def test_person_by_title_anchor_goes_into_the_gap(sample_pdf, sign_visible, signature_png_path) -> None:  # type: ignore[no-untyped-def]
    signed = sign_visible("person", sample_pdf, Appearance.person(signature_png_path, placement=Anchor("KT. CỤC TRƯỞNG")), field="A")
    w, _ = _widget(signed, "A")
    idx = TextIndex(sample_pdf)
    title, name = idx.find("PHÓ CỤC TRƯỞNG"), idx.find("Nguyễn Văn A")
    assert name.bbox[3] < w.rect[1] < w.rect[3] < title.bbox[1]


def test_existing_empty_field(sample_pdf, sign_visible, signature_png_path) -> None:  # type: ignore[no-untyped-def]
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields

    w = IncrementalPdfFileWriter(io.BytesIO(sample_pdf))
    fields.append_signature_field(w, fields.SigFieldSpec("LanhDaoKy", on_page=0, box=(340, 200, 520, 290)))
    buf = io.BytesIO()
    w.write(buf)
    # field=... is not passed: the appearance names the field it fills
    signed = sign_visible("person", buf.getvalue(), Appearance.person(signature_png_path, placement=InField("LanhDaoKy")))
    widget, reader = _widget(signed, "LanhDaoKy")
    assert widget.signed and widget.rect == pytest.approx((340, 200, 520, 290))
    (img,) = image_boxes(reader, "LanhDaoKy")
    assert 340 <= img[0] < img[2] <= 520 and 200 <= img[1] < img[3] <= 290


def test_seal_needs_a_visible_signature(sample_pdf, sign_visible, seal_png_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as ei:
        sign_visible("agency", sample_pdf, Appearance.agency(seal_png_path))
    assert "--anchor" in ei.value.message_en


def test_seal_over_named_field(leader_and_seal, sign_visible, seal_png_path) -> None:  # type: ignore[no-untyped-def]
    person_only, _ = leader_and_seal
    signed = sign_visible("agency", person_only, Appearance.agency(seal_png_path, placement=OverSignature("ChuKyLanhDao")), field="D")
    seal, reader = _widget(signed, "D")
    (img,) = image_boxes(reader, "ChuKyLanhDao")
    assert (seal.rect[2] - img[0]) / (img[2] - img[0]) == pytest.approx(1 / 3, abs=0.01)
