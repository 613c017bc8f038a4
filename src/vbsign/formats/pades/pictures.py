"""Pictures of the signed pages of a PDF, with each signature's box outlined, for the human
verification report (:mod:`vbsign.model.report_html`).

Pages are drawn by PDFium (pypdfium2, ``pip install 'vbsign[report]'``); the boxes come from
the report (:attr:`~vbsign.model.report.SignatureReport.appearance`: page and ``/Rect`` of
each visible signature's widget) and are outlined in the colour of that signature's verdict,
labelled with its id (S1, S2…) as the report's text names it.

Bounded: at most :data:`MAX_PAGES` pages, at most :data:`MAX_WIDTH` pixels wide, nothing for
a file the verification limits call risky (:func:`vbsign.formats.pades.limits.precheck`) or
cut short — drawing is C code a deadline cannot interrupt. PDFium is not thread-safe: one
page is drawn at a time in a process (a lock).
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Iterable
from typing import Any

from vbsign.formats.pades.limits import Limits, precheck
from vbsign.model.report import Indication, Report, SignatureReport
from vbsign.model.report_view import PagePicture, PictureBox

logger = logging.getLogger(__name__)

#: pages drawn per report at most (signed pages first, in page order)
MAX_PAGES = 4
#: width of a page picture in pixels at most (A4 at ~96 dpi)
MAX_WIDTH = 800
#: outline colours (RGB), as the report's verdict colours
COLOURS: dict[Indication, tuple[int, int, int]] = {
    Indication.TOTAL_PASSED: (11, 107, 47),
    Indication.TOTAL_FAILED: (179, 0, 27),
    Indication.INDETERMINATE: (166, 101, 0),
    Indication.NO_SIGNATURE_FOUND: (61, 61, 61),
}
#: findings after which the file is not drawn (verification was cut short or refused)
_NOT_DRAWN = frozenset({"RESOURCE_LIMIT", "LIMITS_NOT_ENFORCED"})
_pdfium_lock = threading.Lock()


def _visible(report: Report) -> dict[int, list[SignatureReport]]:
    pages: dict[int, list[SignatureReport]] = {}
    for sig in report.signatures:
        app = sig.appearance
        if app is not None and app.visible and app.page is not None and len(app.rect) == 4:
            pages.setdefault(app.page, []).append(sig)
    return pages


def drawable(data: bytes, report: Report) -> bool:
    """Whether the pages of this PDF may be drawn for the report (see the module note)."""
    if report.document.format != "pdf" or precheck(data, Limits()).risky:
        return False
    return not any(f.code in _NOT_DRAWN for f in report.findings)


def _to_pixels(
    rect: list[float], crop: tuple[float, float, float, float], scale: float, rotation: int, size: tuple[int, int]
) -> tuple[float, float, float, float]:
    """A PDF user-space rectangle as a box in the rendered (possibly rotated) picture."""
    left, bottom, right, top = crop
    x1, y1, x2, y2 = rect
    # unrotated picture: origin at the crop box's top left, y downwards
    pts = [((x - left) * scale, (top - y) * scale) for x, y in ((x1, y1), (x2, y2))]
    w_unrot = (right - left) * scale
    h_unrot = (top - bottom) * scale
    turned = []
    for px, py in pts:
        if rotation == 90:
            px, py = h_unrot - py, px
        elif rotation == 180:
            px, py = w_unrot - px, h_unrot - py
        elif rotation == 270:
            px, py = py, w_unrot - px
        turned.append((px, py))
    xs = sorted(p[0] for p in turned)
    ys = sorted(p[1] for p in turned)
    width, height = size

    def clamp(v: float, hi: int) -> float:
        return max(0.0, min(float(hi), v))

    return (clamp(xs[0], width), clamp(ys[0], height), clamp(xs[-1], width), clamp(ys[-1], height))


def _outline(image: Any, boxes: Iterable[PictureBox]) -> None:
    from PIL import ImageDraw, ImageFont

    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=14)
    for box in boxes:
        colour = COLOURS[box.indication]
        x1, y1, x2, y2 = box.box
        draw.rectangle((x1 - 2, y1 - 2, x2 + 2, y2 + 2), outline=colour, width=3)
        left, top, right, bottom = draw.textbbox((0, 0), box.signature_id, font=font)
        tag_y = max(0.0, y1 - 2 - (bottom - top) - 6)
        draw.rectangle((x1 - 2, tag_y, x1 + (right - left) + 6, tag_y + (bottom - top) + 6), fill=colour)
        draw.text((x1 + 1, tag_y + 3 - top), box.signature_id, fill=(255, 255, 255), font=font)


def _draw_page(pdf: Any, index: int, sigs: list[SignatureReport]) -> PagePicture:
    page = pdf[index]
    try:
        crop = tuple(float(v) for v in page.get_cropbox())
        width_pt = max(1.0, crop[2] - crop[0])
        rotation = int(page.get_rotation()) % 360
        wide = width_pt if rotation in (0, 180) else max(1.0, crop[3] - crop[1])
        scale = min(2.0, MAX_WIDTH / wide)
        image = page.render(scale=scale).to_pil().convert("RGB")
    finally:
        page.close()
    boxes = tuple(
        PictureBox(
            s.id,
            _to_pixels(list(s.appearance.rect), crop, scale, rotation, image.size),  # type: ignore[union-attr, arg-type]
            s.indication,
        )
        for s in sigs
    )
    _outline(image, boxes)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return PagePicture(index, out.getvalue(), image.size[0], image.size[1], boxes)


def signed_page_pictures(data: bytes, report: Report, *, password: bytes | None = None) -> list[PagePicture]:
    """Pictures of the pages that carry a visible signature (the first page when none
    does), each signature's box outlined; ``[]`` when the file may not be drawn or PDFium
    cannot open it (the report is complete without pictures)."""
    if not drawable(data, report):
        return []
    import pypdfium2

    pages = _visible(report)
    with _pdfium_lock:
        try:
            pdf = pypdfium2.PdfDocument(data, password=password.decode("latin-1") if password else None)
        except pypdfium2.PdfiumError as e:
            logger.info("page pictures: PDFium cannot open %s: %s", report.document.name, e)
            return []
        try:
            wanted = sorted(p for p in pages if 0 <= p < len(pdf))[:MAX_PAGES] or [0]
            return [_draw_page(pdf, i, pages.get(i, [])) for i in wanted if i < len(pdf)]
        finally:
            pdf.close()


__all__ = ["COLOURS", "MAX_PAGES", "MAX_WIDTH", "drawable", "signed_page_pictures"]
