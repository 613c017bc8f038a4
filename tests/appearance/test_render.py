"""Acceptance: what a PDF viewer shows after signing (rendered with poppler).

* the seal's box covers 25–40 % of the person's signature image width, on its left;
* attachment / copy text lies in the top-right quadrant of page 1, black, 10 pt,
  Times-metric, upright;
* ``pdftotext`` of the signed page has the Vietnamese strings exactly — the regression
  test for garbled text (pyHanko's default Courier) and for spread letters (pyHanko 0.38's
  unitsPerEm bug).
"""

from __future__ import annotations

import io
import re

from pyhanko.pdf_utils.reader import PdfFileReader

from vbsign._core.timefmt import format_vn_time
from vbsign.appearance import Appearance

T0_VN = "01/12/2026 10:00:00 +07:00"


def test_seal_covers_left_third_of_signature_image(leader_and_seal, render, colour_bbox):
    person_only, sealed = leader_and_seal
    blue = colour_bbox(render(person_only), "blue")
    red = colour_bbox(render(sealed), "red")
    assert blue is not None and red is not None
    assert colour_bbox(render(person_only), "red") is None  # the seal is only in the second revision
    bx1, by1, bx2, by2 = blue
    rx1, ry1, rx2, ry2 = red
    overlap = (min(bx2, rx2) - max(bx1, rx1)) / (bx2 - bx1)
    assert 0.25 <= overlap <= 0.40, (blue, red, overlap)
    assert rx1 < bx1 < rx2 < bx2  # on the image's left, not its right
    # vertically the seal is centred on the signature image (± a few points)
    assert abs((ry1 + ry2) / 2 - (by1 + by2) / 2) <= 4
    # real size: 36 mm at 72 dpi ≈ 102 px (the sample seal's ink fills its box)
    assert abs((rx2 - rx1) - 36 / 25.4 * 72) <= 3


def test_person_image_centred_between_title_and_name(leader_and_seal, render, colour_bbox, pdftext):
    person_only, _ = leader_and_seal
    blue = colour_bbox(render(person_only), "blue")
    assert blue is not None
    words = _words(pdftext(person_only, "-bbox"))
    title = next(w for w in words if w[4] == "PHÓ")  # "PHÓ CỤC TRƯỞNG" line
    name = [w for w in words if w[4] == "Nguyễn"][-1]  # the name line (the last "Nguyễn")
    _, by1, _, by2 = blue
    assert title[3] < by1 and by2 < name[1]  # between the title's bottom and the name's top
    # horizontally centred on the signature column (the name's centre) within 10 pt
    title_line = [w for w in words if abs(w[1] - title[1]) < 1 and w[0] > 297]  # right column
    col_centre = (min(w[0] for w in title_line) + max(w[2] for w in title_line)) / 2
    assert abs((blue[0] + blue[2]) / 2 - col_centre) < 10


def test_pdftotext_has_vietnamese_exactly(leader_and_seal, pdftext, pki):
    person_only, sealed = leader_and_seal
    text = pdftext(sealed)
    for expected in (
        "Ký bởi: Nguyễn Văn A",
        "Chức vụ: Phó Cục trưởng",  # from the host (the certificate has no title)
        # the unit the signer works in: the certificate's OU
        f"Cơ quan: {pki.cert('person').subject.native['organizational_unit_name']}",
        f"Thời gian ký: {T0_VN}",
    ):
        assert expected in text, (expected, text)
    assert "þÿ" not in text  # pyHanko's default stamp writes UTF-16 with a BOM through Courier


def test_attachment_top_right_black_10pt(sample_pdf, sign_visible, render, pdftext):
    signed = sign_visible("agency", sample_pdf, Appearance.attachment("414/QĐ-BKHCN"))
    text = pdftext(signed)
    assert "414/QĐ-BKHCN" in text and T0_VN in text
    _assert_top_right_black(sample_pdf, signed, render)
    _assert_corner_font(signed)


def test_copy_top_right_black_10pt(sample_pdf, sign_visible, render, pdftext, pki):
    signed = sign_visible("agency", sample_pdf, Appearance.copy("SAO Y"))
    text = pdftext(signed)
    # the copying agency: the seal certificate's CN (the unit, as on the real certificates)
    for expected in ("SAO Y", pki.cert("agency").subject.native["common_name"], T0_VN):
        assert expected in text
    _assert_top_right_black(sample_pdf, signed, render)
    _assert_corner_font(signed)
    # the three lines are right-aligned: their right edges agree within 1 pt
    words = _words(pdftext(signed, "-bbox"))
    rights = [max(w[2] for w in words if abs(w[1] - y) < 1) for y in sorted({w[1] for w in words if w[3] < 60})]
    assert len(rights) == 3 and max(rights) - min(rights) < 1


def test_visible_box_without_role_is_not_garbled(sample_pdf, sign_visible, pdftext):
    """``--box`` alone used to get pyHanko's default Courier stamp (garbled Vietnamese)."""
    signed = sign_visible("person", sample_pdf, None, box=(350, 600, 560, 680))
    text = pdftext(signed)
    assert "Ký bởi: Nguyễn Văn A" in text and T0_VN in text


def test_shown_time_is_the_signature_time(leader_and_seal):
    person_only, _ = leader_and_seal
    sig = PdfFileReader(io.BytesIO(person_only)).embedded_signatures[0]
    signing_time = sig.self_reported_timestamp
    assert signing_time is not None
    assert format_vn_time(signing_time) == T0_VN


def _words(bbox_html: str) -> list[tuple[float, float, float, float, str]]:
    """Words from ``pdftotext -bbox`` (top-left origin, points)."""
    out = []
    for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', bbox_html
    ):
        import html

        out.append((float(m[1]), float(m[2]), float(m[3]), float(m[4]), html.unescape(m[5])))
    return out


def _assert_top_right_black(before: bytes, after: bytes, render) -> None:  # type: ignore[no-untyped-def]
    from PIL import ImageChops

    a, b = render(before), render(after)
    diff = ImageChops.difference(a, b).convert("L").point(lambda v: 255 if v > 40 else 0)
    box = diff.getbbox()
    assert box is not None, "the appearance changed nothing on the page"
    w, h = a.size
    x1, y1, x2, y2 = box
    assert x1 >= w / 2 and y2 <= h / 2, (box, a.size)  # every changed pixel: top-right quadrant
    # the new ink is black (anti-aliasing aside): the darkest changed pixels are near black,
    # none is coloured
    px, mask = b.tobytes(), diff.tobytes()
    changed = [(px[3 * i], px[3 * i + 1], px[3 * i + 2]) for i, d in enumerate(mask) if d]
    assert min(sum(p) for p in changed) < 150
    assert all(max(p) - min(p) < 40 for p in changed)


def _assert_corner_font(signed: bytes) -> None:
    """10 pt, black, a regular (upright) Times-metric font embedded in the appearance."""
    reader = PdfFileReader(io.BytesIO(signed))
    from pyhanko.sign import fields

    (_name, _value, ref), *_ = list(fields.enumerate_sig_fields(reader))
    ap = ref.get_object()["/AP"]["/N"].get_object()
    content = ap.data.decode("latin-1")
    assert re.search(r"/VbF1 10 Tf 0 0 0 rg", content)
    font = ap["/Resources"]["/Font"]["/VbF1"].get_object()
    base = str(font["/BaseFont"])
    assert re.search(r"LiberationSerif|TimesNewRoman|Times", base), base
    assert "Italic" not in base and "Oblique" not in base and "Bold" not in base
