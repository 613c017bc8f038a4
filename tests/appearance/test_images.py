"""Signature and seal images: transparency, colour checks, trimming, SMask in the PDF."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from vbsign._core.errors import InputError, ResourceLimitExceeded
from vbsign.appearance import Appearance, At, ImageKind, load_image


def _png(colour: tuple[int, int, int, int], *, mode: str = "RGBA", size: tuple[int, int] = (200, 100)) -> bytes:
    bg = (0, 0, 0, 0) if mode == "RGBA" else (255, 255, 255)
    img = Image.new(mode, size, bg)
    ImageDraw.Draw(img).ellipse((40, 20, 160, 80), outline=colour[: len(mode)], width=6)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def test_seal_without_transparency_is_refused() -> None:
    with pytest.raises(InputError) as ei:
        load_image(_png((220, 20, 30, 255), mode="RGB"), "seal")
    assert "trong suốt" in ei.value.message_vi and "transparent" in ei.value.message_en


def test_fully_opaque_alpha_counts_as_no_transparency() -> None:
    img = Image.new("RGBA", (50, 50), (220, 20, 30, 255))
    with pytest.raises(InputError):
        load_image(img, ImageKind.SEAL)


def test_seal_not_red_and_signature_not_blue_warn() -> None:
    green = _png((20, 160, 40, 255))
    seal = load_image(green, "seal")
    sig = load_image(green, "signature")
    assert seal.warnings and "đỏ" in seal.warnings[0].vi and "red" in seal.warnings[0].en
    assert sig.warnings and "xanh" in sig.warnings[0].vi and "blue" in sig.warnings[0].en
    assert not load_image(_png((215, 25, 32, 255)), "seal").warnings
    assert not load_image(_png((20, 50, 170, 255)), "signature").warnings


def test_signature_without_transparency_is_a_warning_not_an_error() -> None:
    sig = load_image(_png((20, 50, 170, 255), mode="RGB"), "signature")
    assert any("trong suốt" in w.vi for w in sig.warnings)


def test_trimmed_to_visible_ink() -> None:
    img = load_image(_png((20, 50, 170, 255)), "signature")
    assert (img.width_px, img.height_px) == (121, 61)  # the ellipse (inclusive), not the 200×100 canvas


def test_unreadable_and_empty_images() -> None:
    with pytest.raises(InputError):
        load_image(b"not an image", "signature")
    with pytest.raises(InputError):
        load_image(Image.new("RGBA", (10, 10), (0, 0, 0, 0)), "seal")
    with pytest.raises(InputError):
        load_image("/nonexistent/seal.png", "seal")


def test_decompression_bomb_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from vbsign.appearance import images

    monkeypatch.setattr(images, "MAX_PIXELS", 1000)
    with pytest.raises(ResourceLimitExceeded):
        load_image(_png((20, 50, 170, 255)), "signature")


def test_alpha_kept_as_smask(sample_pdf, sign_visible, seal_png_path) -> None:  # type: ignore[no-untyped-def]
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields

    signed = sign_visible(
        "agency", sample_pdf, Appearance.agency(seal_png_path, placement=At(0, (100, 100, 200, 200)))
    )
    reader = PdfFileReader(io.BytesIO(signed))
    (_n, _v, ref), *_ = list(fields.enumerate_sig_fields(reader))
    ap = ref.get_object()["/AP"]["/N"].get_object()
    img = ap["/Resources"]["/XObject"]["/VbImg0"].get_object()
    assert img["/Subtype"] == "/Image"
    smask = img["/SMask"].get_object()
    assert smask["/ColorSpace"] == "/DeviceGray" and smask["/Width"] == img["/Width"]
