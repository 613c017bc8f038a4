"""Where an appearance goes: placement rules and their resolution to a page box.

Rules (all coordinates in PDF points, pages 0-based, negative = from the end):

* :class:`At` — an explicit page and box;
* :class:`InField` — an existing, empty signature field (its widget rectangle);
* :class:`Anchor` — relative to a string found on a page, as Vietnamese signing tools do
  (e.g. the signer's name or "KT. BỘ TRƯỞNG");
* :class:`OverSignature` — the agency seal over the left third of the image of an
  existing visible signature (the competent person's), the Decree 30/2020 position;
* :class:`TopRight` — the top-right corner of a page (attachments and copies).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from vbsign._core.errors import InputError
from vbsign._core.i18n import Msg
from vbsign.appearance.stamp import Box
from vbsign.appearance.textpos import TextIndex, TextMatch
from vbsign.appearance.widgets import SignatureWidget, image_boxes, signature_widgets

Position = Literal["auto", "above", "below", "left", "right", "over"]
POSITIONS: tuple[str, ...] = ("auto", "above", "below", "left", "right", "over")


@dataclass(frozen=True)
class At:
    """An explicit box ``(x1, y1, x2, y2)`` on ``page``."""

    page: int
    box: Box

    def __post_init__(self) -> None:
        x1, y1, x2, y2 = self.box
        if not (x2 > x1 and y2 > y1):
            raise InputError(
                Msg(
                    "Vùng hiển thị phải có x1<x2 và y1<y2: {b}",
                    "The visible box needs x1<x2 and y1<y2: {b}",
                ).format(b=self.box)
            )


@dataclass(frozen=True)
class InField:
    """An existing empty signature field; pass the same name as ``field=`` when signing."""

    name: str


@dataclass(frozen=True)
class Anchor:
    """Relative to the ``occurrence``-th match of ``text`` (-1 = the last one).

    ``position``: ``auto`` lets the role decide (the person's signature goes into the blank
    gap above the signer's name, or below a title such as "KT. BỘ TRƯỞNG"); the others
    put the appearance above / below / left / right of the text, or centred ``over`` it.
    ``offset`` (points) shifts the result.
    """

    text: str
    page: int | None = None
    occurrence: int = -1
    position: Position = "auto"
    offset: tuple[float, float] = (0.0, 0.0)

    def __post_init__(self) -> None:
        if self.position not in POSITIONS:
            raise InputError(
                Msg("Vị trí không hợp lệ: {p} (chọn {ok}).", "Invalid position: {p} (choose {ok}).").format(
                    p=self.position, ok=", ".join(POSITIONS)
                )
            )


@dataclass(frozen=True)
class OverSignature:
    """Over the left third of the image of signature ``field`` (default: the latest visible one)."""

    field: str | None = None


@dataclass(frozen=True)
class TopRight:
    """The top-right corner of ``page``, ``top_mm`` / ``right_mm`` from the edges."""

    page: int = 0
    top_mm: float = 5.0
    right_mm: float = 10.0


PlacementRule = At | InField | Anchor | OverSignature | TopRight


class DocumentView:
    """What placement needs to know about the document being signed (read lazily)."""

    def __init__(self, reader: PdfFileReader) -> None:
        self.reader = reader

    @cached_property
    def page_count(self) -> int:
        return int(self.reader.root["/Pages"]["/Count"])

    def page_index(self, page: int) -> int:
        n = self.page_count
        p = page if page >= 0 else n + page
        if not 0 <= p < n:
            raise InputError(
                Msg("Tài liệu không có trang {p} (có {n} trang).", "The document has no page {p} (it has {n}).").format(
                    p=page + 1 if page >= 0 else page, n=n
                )
            )
        return p

    def page_box(self, page: int) -> Box:
        """The visible area of the page (CropBox, else MediaBox; both inheritable)."""
        obj = self.reader.find_page_for_modification(self.page_index(page))[0].get_object()
        found: dict[str, generic.ArrayObject] = {}
        node: generic.DictionaryObject | None = obj
        depth = 0
        while node is not None and depth < 64:
            for key in ("/CropBox", "/MediaBox"):
                if key not in found and key in node:
                    found[key] = node[key]
            parent = node.get("/Parent")
            node = parent.get_object() if parent is not None else None
            depth += 1
        arr = found.get("/CropBox") or found.get("/MediaBox")
        if arr is None:
            return (0.0, 0.0, 595.276, 841.89)  # A4, the Decree 30/2020 paper size
        x1, y1, x2, y2 = (float(v) for v in arr)
        return (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))

    @cached_property
    def text(self) -> TextIndex:
        stream = self.reader.stream
        if isinstance(stream, io.BytesIO):
            data = stream.getvalue()
        else:
            pos = stream.tell()
            stream.seek(0)
            data = stream.read()
            stream.seek(pos)
        return TextIndex(data)

    def find(self, anchor: Anchor) -> TextMatch:
        page = None if anchor.page is None else self.page_index(anchor.page)
        return self.text.find(anchor.text, page=page, occurrence=anchor.occurrence)

    @cached_property
    def widgets(self) -> list[SignatureWidget]:
        return signature_widgets(self.reader)

    def widget(self, name: str) -> SignatureWidget:
        for w in self.widgets:
            if w.name == name:
                return w
        raise InputError(
            Msg("Không có trường chữ ký '{f}' trong tài liệu.", "The document has no signature field '{f}'.").format(f=name)
        )

    def signature_image_box(self, field: str | None) -> tuple[int, Box]:
        """Page and box of the image of signature ``field`` (default: the latest visible one)."""
        if field is not None:
            candidates = [self.widget(field)]
        else:
            candidates = [w for w in self.widgets if w.signed and w.visible]
            # prefer the latest visible signature that shows an image
            with_image = [w for w in candidates if image_boxes(self.reader, w.name)]
            candidates = with_image or candidates
        if not candidates or not candidates[-1].visible:
            raise InputError(
                Msg(
                    "Không có chữ ký hiển thị nào để đóng dấu lên (Nghị định 30/2020: dấu trùm 1/3 "
                    "chữ ký của người có thẩm quyền). Hãy ký với vai trò người có thẩm quyền trước, "
                    "hoặc chỉ định --anchor / --box.",
                    "There is no visible signature to put the seal over (Decree 30/2020: the seal "
                    "covers a third of the competent person's signature). Sign as the person first, "
                    "or give --anchor / --box.",
                )
            )
        w = candidates[-1]
        boxes = image_boxes(self.reader, w.name)
        if boxes:
            return w.page, max(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
        return w.page, w.rect


def relative_box(anchor: Box, width: float, height: float, position: str, gap: float = 2.0) -> Box:
    """A ``width`` × ``height`` box placed next to (or over) ``anchor``."""
    ax1, ay1, ax2, ay2 = anchor
    cx, cy = (ax1 + ax2) / 2, (ay1 + ay2) / 2
    if position == "below":
        return (cx - width / 2, ay1 - gap - height, cx + width / 2, ay1 - gap)
    if position == "above":
        return (cx - width / 2, ay2 + gap, cx + width / 2, ay2 + gap + height)
    if position == "left":
        return (ax1 - gap - width, cy - height / 2, ax1 - gap, cy + height / 2)
    if position == "right":
        return (ax2 + gap, cy - height / 2, ax2 + gap + width, cy + height / 2)
    return (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)


def shift(box: Box, offset: tuple[float, float]) -> Box:
    dx, dy = offset
    return (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)
