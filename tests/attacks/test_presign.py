"""Warnings at signing time: the signer is told when the input holds shadow content."""

from __future__ import annotations

from pyhanko.pdf_utils import generic

from vbsign import api


def _sign(pki_dir, pki, services, tsa, t0, data):  # type: ignore[no-untyped-def]
    return api.sign(
        data,
        key=pki_dir / "person.p12",
        passphrase="vbsign-test",
        trust=pki.roots,
        tsa=tsa,
        level="B-T",
        services=services,
        clock=lambda: t0,
    )


def test_clean_document_signs_without_shadow_warning(pki_dir, pki, services, tsa, t0, sample_pdf):  # type: ignore[no-untyped-def]
    result = _sign(pki_dir, pki, services, tsa, t0, sample_pdf)
    assert not [w for w in result.warnings if "bóng" in w.vi or "shadow" in w.en]


def test_unreferenced_page_and_filled_field_are_warned(pki_dir, pki, services, tsa, t0, sample_pdf, kit):  # type: ignore[no-untyped-def]
    def prepare(w):  # type: ignore[no-untyped-def]
        content = w.add_object(generic.StreamObject(stream_data=b"BT /H 24 Tf 72 700 Td (GIA MAO) Tj ET"))
        w.add_object(
            generic.DictionaryObject(
                {kit.name("/Type"): kit.name("/Page"), kit.name("/Contents"): content, kit.name("/MediaBox"): kit.arr(0, 0, 595, 842)}
            )
        )
        kit.add_text_field(w, "KetLuan", kit.PLANT_AREA, "Dong y", kit.text_box("Dong y", 210, 30))

    result = _sign(pki_dir, pki, services, tsa, t0, kit.incremental(sample_pdf, prepare))
    texts = [w.en for w in result.warnings]
    assert any("displayable objects" in t for t in texts), texts
    assert any("KetLuan" in t for t in texts), texts
    assert all(w.vi for w in result.warnings)  # Vietnamese first


def test_signing_refuses_an_xref_bomb(pki_dir, pki, services, tsa, t0, kit):  # type: ignore[no-untyped-def]
    """An 800-byte file declaring 2^31 cross-reference entries would exhaust memory when
    opened; the signer refuses it with a typed error before parsing."""
    import re

    import pytest

    from vbsign._core.errors import InputError

    objs = [*kit.MINIMAL_PAGE, b"<< /Type /XRef /Size 2147483647 /W [1 4 2] /Root 1 0 R /Length 0 >>\nstream\n\nendstream"]
    data = kit.raw_pdf(objs)
    data = re.sub(rb"startxref\n\d+", b"startxref\n%d" % data.index(b"4 0 obj"), data)
    with pytest.raises(InputError) as err:
        _sign(pki_dir, pki, services, tsa, t0, data)
    assert "cross-reference" in err.value.message_en
