"""Layout arithmetic and placement rules (no PDF needed for most)."""

from __future__ import annotations

import pytest

from vbsign._core.errors import ConfigurationError, InputError
from vbsign.appearance import AgencyConfig, Anchor, At, Role, build_appearance
from vbsign.appearance import layout as L


def test_seal_box_covers_a_third_on_the_left() -> None:
    image = (300.0, 200.0, 450.0, 250.0)
    x1, y1, x2, y2 = L.seal_box_over(image, 100.0)
    assert x2 - x1 == pytest.approx(100) and y2 - y1 == pytest.approx(100)
    assert (x2 - image[0]) / (image[2] - image[0]) == pytest.approx(1 / 3)
    assert (y1 + y2) / 2 == pytest.approx(225)


def test_fit_contain_keeps_aspect_and_centres() -> None:
    assert L.fit_contain(2.0, (0, 0, 100, 100)) == pytest.approx((0, 25, 100, 75))
    assert L.fit_contain(0.5, (0, 0, 100, 100)) == pytest.approx((25, 0, 75, 100))


def test_gap_above_name_stops_at_title() -> None:
    name = (370.0, 200.0, 450.0, 214.0)
    title = (360.0, 300.0, 460.0, 313.0)
    left_col = (85.0, 250.0, 180.0, 262.0)  # "Nơi nhận" lines in the other column are ignored
    x1, y1, x2, y2 = L.gap_box(name, [name, title, left_col], direction="above", width=170)
    assert y1 == pytest.approx(219) and y2 == pytest.approx(295)
    assert (x1 + x2) / 2 == pytest.approx(410)


def test_gap_below_skips_the_title_block() -> None:
    kt = (354.0, 316.0, 468.0, 330.0)
    title = (362.0, 299.0, 460.0, 313.0)  # right under "KT. BỘ TRƯỞNG": same block
    name = (367.0, 202.0, 455.0, 216.0)
    _, y1, _, y2 = L.gap_box(kt, [kt, title, name], direction="below", width=170)
    assert y2 == pytest.approx(294) and y1 == pytest.approx(221)


def test_gap_taller_than_max_is_centred() -> None:
    name = (370.0, 100.0, 450.0, 114.0)
    title = (360.0, 400.0, 460.0, 413.0)
    _, y1, _, y2 = L.gap_box(name, [name, title], direction="above", width=170)
    assert y2 - y1 == pytest.approx(L.PERSON_MAX_HEIGHT)
    assert (y1 + y2) / 2 == pytest.approx((119 + 395) / 2)


def test_top_right_and_clamp() -> None:
    page = (0.0, 0.0, 595.0, 842.0)
    x1, y1, x2, y2 = L.top_right_box(page, 100, 40)
    assert x2 == pytest.approx(595 - L.CORNER_RIGHT_MARGIN) and y2 == pytest.approx(842 - L.CORNER_TOP_MARGIN)
    assert L.clamp_to_page((-50.0, 10.0, 50.0, 60.0), page) == pytest.approx((2, 10, 102, 60))


def test_role_parsing_and_aliases() -> None:
    assert Role.parse("APPENDIX") is Role.ATTACHMENT and Role.parse("agency") is Role.AGENCY
    with pytest.raises(InputError):
        Role.parse("boss")


def test_build_appearance_rules(seal_png_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError):
        build_appearance("attachment")  # no document number
    with pytest.raises(InputError):
        build_appearance("copy", image=str(seal_png_path))  # copies show no image
    with pytest.raises(InputError):
        build_appearance("agency")  # no seal
    ap = build_appearance("agency", config=AgencyConfig(seal_image=seal_png_path, seal_diameter_mm=40), box=(1, 2, 3, 4))
    assert ap.seal_diameter_mm == 40 and ap.placement == At(0, (1, 2, 3, 4))
    assert build_appearance("person", anchor="KT. BỘ TRƯỞNG", page=-1).placement == Anchor("KT. BỘ TRƯỞNG", page=-1)
    with pytest.raises(InputError):
        At(0, (10, 10, 5, 20))


def test_agency_config_file(tmp_path, seal_png_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "seal.png").write_bytes(seal_png_path.read_bytes())
    cfg = tmp_path / "bkhcn.toml"
    cfg.write_text(
        'agency_name = "Bộ Khoa học và Công nghệ"\nseal_image = "seal.png"\nseal_diameter_mm = 38\ncopy_form = "SAO LỤC"\n',
        encoding="utf-8",
    )
    c = AgencyConfig.load(cfg)
    assert c.seal_image == tmp_path / "seal.png" and c.seal_diameter_mm == 38 and c.agency_name.startswith("Bộ")
    ap = build_appearance("copy", config=c)
    assert ap.copy_form == "SAO LỤC" and ap.agency_name == "Bộ Khoa học và Công nghệ"
    for bad in ('seal_diamter_mm = 38\n', 'seal_diameter_mm = 500\n', 'agency_name = 3\n', 'person_text = "yes"\n', "= broken"):
        cfg.write_text(bad, encoding="utf-8")
        with pytest.raises(ConfigurationError):
            AgencyConfig.load(cfg)
    with pytest.raises(ConfigurationError):
        AgencyConfig.load(tmp_path / "missing.toml")


def test_person_without_text_block_fills_the_box(signature_png_path) -> None:  # type: ignore[no-untyped-def]
    from vbsign.appearance import load_image

    img = load_image(signature_png_path, "signature")
    d = L.person_drawing(170.0, 80.0, img, [], None)
    assert not d.texts and len(d.images) == 1
    x1, y1, x2, y2 = d.images[0].box
    assert (x2 - x1) == pytest.approx(170) or (y2 - y1) == pytest.approx(80)
    assert (x2 - x1) / (y2 - y1) == pytest.approx(img.aspect)
