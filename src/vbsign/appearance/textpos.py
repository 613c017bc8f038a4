"""Positioned text on PDF pages, to place an appearance by a text anchor.

Vietnamese signing tools let the clerk say "put the signature where the signer's name
is" instead of giving coordinates; this module finds a string on a page and returns its
bounding box in PDF user space, plus the page's other text lines (to find the blank gap
between the signer's title and name).

pdfminer.six does the text extraction: it decodes embedded TrueType/CID fonts through
their ``/ToUnicode`` maps and gives a box for every glyph, so a substring in the middle
of a line gets an exact box. Matching ignores case, runs of white space and Unicode
normalisation form (precomposed "ễ" matches "e" + combining marks).
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from vbsign._core.errors import InputError
from vbsign._core.i18n import Msg

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class TextLine:
    """One line of text as laid out on the page (PDF user space, points)."""

    page: int
    text: str
    bbox: Box


@dataclass(frozen=True)
class TextMatch:
    """Where an anchor string was found."""

    page: int
    bbox: Box
    line: TextLine
    occurrence: int


def _key(piece: str) -> str:
    return unicodedata.normalize("NFD", piece.casefold())


def _needle_key(text: str) -> str:
    return " ".join(_key(text).split())


class _PagedText:
    """Lazily laid-out pages of one PDF (each page is analysed at most once)."""

    def __init__(self, data: bytes) -> None:
        from pdfminer.pdfdocument import PDFDocument
        from pdfminer.pdfpage import PDFPage
        from pdfminer.pdfparser import PDFParser

        try:
            self._doc = PDFDocument(PDFParser(io.BytesIO(data)))
            self._pages = list(PDFPage.create_pages(self._doc))
        except Exception as e:
            raise InputError(
                Msg(
                    "Không đọc được nội dung chữ của PDF để tìm vị trí: {e}",
                    "Cannot read the PDF's text to find the anchor: {e}",
                ).format(e=str(e) or type(e).__name__)
            ) from e
        self._cache: dict[int, list[tuple[TextLine, list[tuple[str, Box | None]]]]] = {}

    @property
    def count(self) -> int:
        return len(self._pages)

    def lines(self, index: int) -> list[tuple[TextLine, list[tuple[str, Box | None]]]]:
        """The page's text lines, each with its pieces (glyph text, glyph box)."""
        if index in self._cache:
            return self._cache[index]
        from pdfminer.converter import PDFPageAggregator
        from pdfminer.layout import LAParams, LTAnno, LTChar, LTTextLine
        from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager

        page = self._pages[index]
        if (page.rotate or 0) % 360:
            raise InputError(
                Msg(
                    "Trang {n} bị xoay {r}°: chưa hỗ trợ đặt chữ ký theo chuỗi ký tự trên trang xoay; hãy dùng --box.",
                    "Page {n} is rotated by {r}°: placing by text anchor is not supported on rotated pages; use --box.",
                ).format(n=index + 1, r=page.rotate)
            )
        # pdfminer reports coordinates relative to the MediaBox origin; shift them back
        x0, y0 = float(page.mediabox[0]), float(page.mediabox[1])
        rsrc = PDFResourceManager()
        device = PDFPageAggregator(rsrc, laparams=LAParams())
        PDFPageInterpreter(rsrc, device).process_page(page)
        layout = device.get_result()
        out: list[tuple[TextLine, list[tuple[str, Box | None]]]] = []

        def shift(b: Any) -> Box:
            return (b[0] + x0, b[1] + y0, b[2] + x0, b[3] + y0)

        def walk(obj: Any) -> Iterator[Any]:
            if isinstance(obj, LTTextLine):
                yield obj
                return
            for child in getattr(obj, "_objs", ()) or ():
                yield from walk(child)

        for line in walk(layout):
            pieces: list[tuple[str, Box | None]] = []
            for ch in line:
                if isinstance(ch, LTChar):
                    pieces.append((ch.get_text(), shift(ch.bbox)))
                elif isinstance(ch, LTAnno):
                    pieces.append((ch.get_text(), None))
            text = "".join(p for p, _ in pieces).rstrip("\n")
            out.append((TextLine(index, text, shift(line.bbox)), pieces))
        self._cache[index] = out
        return out


def _find_in_line(pieces: list[tuple[str, Box | None]], needle: str) -> Iterator[Box]:
    chars: list[str] = []
    owner: list[int] = []
    for i, (piece, _box) in enumerate(pieces):
        for c in _key(piece):
            if c.isspace():
                if chars and chars[-1] == " ":
                    continue
                c = " "
            chars.append(c)
            owner.append(i)
    hay = "".join(chars)
    start = hay.find(needle)
    while start >= 0:
        idx = sorted(set(owner[start : start + len(needle)]))
        boxes = [b for b in (pieces[i][1] for i in idx) if b is not None]
        if boxes:
            yield (
                min(b[0] for b in boxes),
                min(b[1] for b in boxes),
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
            )
        start = hay.find(needle, start + 1)


class TextIndex:
    """Find strings and text lines in one PDF."""

    def __init__(self, data: bytes) -> None:
        self._paged = _PagedText(data)

    @property
    def page_count(self) -> int:
        return self._paged.count

    def lines(self, page: int) -> list[TextLine]:
        return [line for line, _ in self._paged.lines(page)]

    def find(self, text: str, *, page: int | None = None, occurrence: int = -1) -> TextMatch:
        """Find ``text``; ``occurrence`` 1 = first, -1 = last (the default: signature blocks
        come last), counted over ``page`` only or over the whole document.

        Raises :class:`~vbsign.errors.InputError` when it is not there.
        """
        needle = _needle_key(text)
        if not needle:
            raise InputError(Msg("Chuỗi định vị rỗng.", "The anchor text is empty."))
        if occurrence == 0:
            raise InputError(Msg("Lần xuất hiện đếm từ 1 (hoặc -1 = cuối cùng).", "Occurrences count from 1 (or -1 = last)."))
        n = self.page_count
        if page is not None:
            p = page if page >= 0 else n + page
            if not 0 <= p < n:
                raise InputError(
                    Msg("Tài liệu không có trang {p} (có {n} trang).", "The document has no page {p} (it has {n}).").format(
                        p=page + 1 if page >= 0 else page, n=n
                    )
                )
            pages: list[int] = [p]
        else:
            pages = list(range(n))
        backwards = occurrence < 0
        wanted = -occurrence if backwards else occurrence
        seen = 0
        for p in reversed(pages) if backwards else pages:
            hits: list[TextMatch] = []
            for line, pieces in self._paged.lines(p):
                for box in _find_in_line(pieces, needle):
                    hits.append(TextMatch(p, box, line, 0))
            # reading order on the page: top to bottom, then left to right
            hits.sort(key=lambda m: (-m.bbox[3], m.bbox[0]))
            if backwards:
                hits.reverse()
            for hit in hits:
                seen += 1
                if seen == wanted:
                    return TextMatch(hit.page, hit.bbox, hit.line, occurrence)
        if page is not None:
            where = Msg("trang {p}", "page {p}").format(p=pages[0] + 1)
        else:
            where = Msg("tài liệu", "the document")
        nth = Msg("", "") if wanted == 1 else Msg(" (lần xuất hiện {o})", " (occurrence {o})").format(o=occurrence)
        raise InputError(
            Msg(
                "Không tìm thấy chuỗi định vị \u201c" + text + "\u201d trong " + where.vi + nth.vi + "; không ký tệp nào.",
                "Anchor text \u201c" + text + "\u201d not found in " + where.en + nth.en + "; nothing was signed.",
            ),
            details={"anchor": text, "page": page, "occurrence": occurrence},
        )
