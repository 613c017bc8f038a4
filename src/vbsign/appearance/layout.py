"""Pure layout arithmetic for the Decree 30/2020 appearances (points, no I/O).

Every function here turns sizes into boxes; nothing reads a file or a PDF, so the rules
can be tested and read on their own. 1 mm = 72 / 25.4 pt.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from vbsign.appearance.images import InkImage
from vbsign.appearance.stamp import BLACK, Box, Drawing, PlacedImage, PlacedText

MM = 72 / 25.4

#: default width of the competent person's appearance (image + optional text block)
PERSON_WIDTH = 62 * MM
#: the image + text block is never taller than this, even in a large blank gap
PERSON_MAX_HEIGHT = 36 * MM
#: ... and, without a gap to fit in, this tall
PERSON_DEFAULT_HEIGHT = 28 * MM
#: the text block under the signature image takes at most this share of the height
PERSON_TEXT_SHARE = 0.45
PERSON_TEXT_MAX_SIZE = 7.5
PERSON_TEXT_MIN_SIZE = 4.5
#: the seal covers this share of the signature image's width, on its left
SEAL_OVERLAP = 1 / 3
#: Decree 30/2020: attachments and copies use 10 pt Times New Roman, black
CORNER_TEXT_SIZE = 10.0
CORNER_LEADING = 1.2
CORNER_PADDING = 2.0
CORNER_TOP_MARGIN = 5 * MM
CORNER_RIGHT_MARGIN = 10 * MM
LEADING = 1.2

Measure = Callable[[str, float], float]


def measurer(font: str | os.PathLike[str]) -> Measure:
    from vbsign.appearance.fonts import text_width  # start-up: fontTools

    path = os.fspath(font)
    return lambda text, size: text_width(path, text, size)


def fit_contain(aspect: float, box: Box) -> Box:
    """The largest box of ``aspect`` (width / height) centred inside ``box``."""
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    if w <= 0 or h <= 0:
        return box
    if w / h > aspect:
        iw, ih = h * aspect, h
    else:
        iw, ih = w, w / aspect
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    return (cx - iw / 2, cy - ih / 2, cx + iw / 2, cy + ih / 2)


def fit_font_size(
    lines: Sequence[str], measure: Measure, max_width: float, max_height: float, *, start: float, minimum: float
) -> float:
    """The largest size ≤ ``start`` (in 0.25 pt steps) at which the lines fit, else ``minimum``."""
    size = start
    while size > minimum:
        widest = max((measure(t, size) for t in lines), default=0.0)
        if widest <= max_width and len(lines) * size * LEADING <= max_height:
            return size
        size -= 0.25
    return minimum


def person_drawing(
    width: float,
    height: float,
    image: InkImage | None,
    lines: Sequence[str],
    font: Path | None,
) -> Drawing:
    """Signature image on top, centred; the optional text block under it, lines centred."""
    texts: list[PlacedText] = []
    text_h = 0.0
    if lines:
        assert font is not None
        measure = measurer(font)
        max_text_h = height * (PERSON_TEXT_SHARE if image is not None else 1.0)
        size = fit_font_size(
            lines, measure, width - 4, max_text_h, start=PERSON_TEXT_MAX_SIZE, minimum=PERSON_TEXT_MIN_SIZE
        )
        text_h = len(lines) * size * LEADING
        top = text_h if image is not None else (height + text_h) / 2
        for i, line in enumerate(lines):
            w = measure(line, size)
            baseline = top - (i + 1) * size * LEADING + size * (LEADING - 1) / 2 + size * 0.22
            texts.append(PlacedText(line, (width - w) / 2, baseline, size, BLACK))
    images: list[PlacedImage] = []
    if image is not None:
        gap = 2.0 if lines else 0.0
        region = (0.0, text_h + gap, width, height)
        images.append(PlacedImage(image, fit_contain(image.aspect, region)))
    return Drawing(width, height, tuple(images), tuple(texts), font)


def seal_drawing(size: float, image: InkImage, width: float | None = None, height: float | None = None) -> Drawing:
    """The seal image at ``size`` (its larger side), centred in its box."""
    w = width or size
    h = height or size
    return Drawing(w, h, (PlacedImage(image, fit_contain(image.aspect, (0.0, 0.0, w, h))),), (), None)


def corner_drawing(lines: Sequence[str], font: Path, size: float = CORNER_TEXT_SIZE) -> Drawing:
    """A right-aligned block of lines (attachments and copies), sized to its text."""
    measure = measurer(font)
    widths = [measure(t, size) for t in lines]
    width = max(widths, default=0.0) + 2 * CORNER_PADDING
    leading = size * CORNER_LEADING
    height = len(lines) * leading + 2 * CORNER_PADDING
    texts = []
    for i, (line, w) in enumerate(zip(lines, widths, strict=True)):
        baseline = height - CORNER_PADDING - (i + 1) * leading + (leading - size) / 2 + size * 0.22
        texts.append(PlacedText(line, width - CORNER_PADDING - w, baseline, size, BLACK))
    return Drawing(width, height, (), tuple(texts), font)


def seal_box_over(image_box: Box, diameter: float, overlap: float = SEAL_OVERLAP) -> Box:
    """The seal's box: its right edge covers ``overlap`` of the image's width from the left,
    vertically centred on the image (Decree 30/2020: "trùm lên khoảng 1/3 ... về bên trái")."""
    x1, y1, x2, y2 = image_box
    right = x1 + (x2 - x1) * overlap
    cy = (y1 + y2) / 2
    return (right - diameter, cy - diameter / 2, right, cy + diameter / 2)


def top_right_box(page_box: Box, width: float, height: float, *, top: float = CORNER_TOP_MARGIN, right: float = CORNER_RIGHT_MARGIN) -> Box:
    px1, py1, px2, py2 = page_box
    return (px2 - right - width, py2 - top - height, px2 - right, py2 - top)


def clamp_to_page(box: Box, page_box: Box, margin: float = 2.0) -> Box:
    """Shift ``box`` (without resizing) so that it lies on the page when it fits."""
    x1, y1, x2, y2 = box
    px1, py1, px2, py2 = page_box
    dx = max(0.0, px1 + margin - x1) - max(0.0, x2 - (px2 - margin))
    dy = max(0.0, py1 + margin - y1) - max(0.0, y2 - (py2 - margin))
    return (x1 + dx, y1 + dy, x2 + dx, y2 + dy)


def gap_box(
    anchor: Box,
    lines: Sequence[Box],
    *,
    direction: str,
    width: float,
    min_gap: float = 12 * MM,
    max_height: float = PERSON_MAX_HEIGHT,
    default_height: float = PERSON_DEFAULT_HEIGHT,
    padding: float = 5.0,
) -> Box:
    """The blank band next to ``anchor`` in its column, ``width`` wide and centred on it.

    ``direction="above"`` (anchor = the signer's name): the band between the name and the
    nearest text line above it (the title). ``"below"`` (anchor = "KT. BỘ TRƯỞNG" or the
    title): lines stacked right under the anchor (e.g. "THỨ TRƯỞNG") belong to the
    title block; the band is the first gap at least ``min_gap`` tall under that block.
    A band taller than ``max_height`` gets a box of ``max_height`` centred in it.
    """
    ax1, ay1, ax2, ay2 = anchor
    cx = (ax1 + ax2) / 2
    left, right = cx - width / 2, cx + width / 2
    column = [b for b in lines if b[2] > left and b[0] < right and b != anchor]
    if direction == "above":
        above = [b for b in column if b[1] >= ay2 - 0.5]
        bottom = ay2 + padding
        top = min((b[1] for b in above), default=bottom + default_height + padding) - padding
    elif direction == "below":
        below = sorted((b for b in column if b[3] <= ay1 + 0.5), key=lambda b: -b[3])
        current_bottom = ay1
        found: tuple[float, float] | None = None
        for b in below:
            if current_bottom - b[3] >= min_gap:
                found = (current_bottom - padding, b[3] + padding)
                break
            current_bottom = min(current_bottom, b[1])
        if found is None:
            found = (current_bottom - padding, current_bottom - padding - default_height)
        top, bottom = found
    else:  # pragma: no cover - guarded by the caller
        raise ValueError(direction)
    height = top - bottom
    if height > max_height:
        mid = (top + bottom) / 2
        top, bottom = mid + max_height / 2, mid - max_height / 2
    return (left, bottom, right, top)
