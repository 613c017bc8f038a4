"""Signature widgets already in a document: where they are and where their images are.

The agency seal must cover about the left third of the *image* of the competent
person's signature (Decree 30/2020 Appendix I), not of the whole widget, which may also
hold a text block. So vbsign reads the widget's normal appearance stream and follows the
``cm``/``Do`` operators down to the image XObjects it paints; this works for widgets
drawn by other signing tools too, and falls back to the widget rectangle when the
appearance has no image or cannot be parsed.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

logger = logging.getLogger(__name__)

Box = tuple[float, float, float, float]
Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_MAX_DEPTH = 6


@dataclass(frozen=True)
class SignatureWidget:
    """A signature field's widget annotation."""

    name: str
    page: int
    rect: Box
    signed: bool

    @property
    def visible(self) -> bool:
        x1, y1, x2, y2 = self.rect
        return x2 - x1 > 1 and y2 - y1 > 1


def _rect(annot: generic.DictionaryObject) -> Box:
    x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
    return (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))


def _page_refs(reader: PdfFileReader) -> list[generic.Reference]:
    count = int(reader.root["/Pages"]["/Count"])
    return [reader.find_page_for_modification(i)[0].reference for i in range(count)]


def widget_annotation(field: generic.DictionaryObject) -> generic.DictionaryObject:
    kids = field.get("/Kids")
    if kids:
        return kids[0].get_object()  # type: ignore[no-any-return]
    return field


def signature_widgets(reader: PdfFileReader) -> list[SignatureWidget]:
    """All signature fields with their page (0-based) and rectangle, in field order."""
    from pyhanko.sign import fields

    pages = _page_refs(reader)
    out: list[SignatureWidget] = []
    for name, value, ref in fields.enumerate_sig_fields(reader, filled_status=None):
        try:
            field = ref.get_object()
            annot = widget_annotation(field)
            rect = _rect(annot) if "/Rect" in annot else (0.0, 0.0, 0.0, 0.0)
            page = _widget_page(reader, annot, pages)
        except Exception as e:  # pragma: no cover - malformed form
            logger.debug("skipping malformed signature field %s: %s", name, e)
            continue
        out.append(SignatureWidget(name, page, rect, value is not None))
    return out


def _widget_page(reader: PdfFileReader, annot: generic.DictionaryObject, pages: list[generic.Reference]) -> int:
    p = annot.raw_get("/P") if "/P" in annot else None
    if isinstance(p, generic.IndirectObject) and p.reference in pages:
        return pages.index(p.reference)
    annot_ref = getattr(annot, "container_ref", None)
    for i, page_ref in enumerate(pages):
        page_obj = page_ref.get_object()
        assert isinstance(page_obj, generic.DictionaryObject)
        annots = page_obj.get("/Annots")
        if annots is None:
            continue
        for a in annots.get_object():
            if isinstance(a, generic.IndirectObject) and annot_ref is not None and a.reference == annot_ref:
                return i
            if a.get_object() is annot:
                return i
    return 0


def _mul(m: Matrix, n: Matrix) -> Matrix:
    """``m`` applied first, then ``n`` (PDF row-vector convention: m × n)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _unit_square(m: Matrix) -> Box:
    pts = [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)]
    xs = [x * m[0] + y * m[2] + m[4] for x, y in pts]
    ys = [x * m[1] + y * m[3] + m[5] for x, y in pts]
    return (min(xs), min(ys), max(xs), max(ys))


def _images_in(xobj: Any, ctm: Matrix, depth: int, out: list[Box]) -> None:
    from pyhanko.pdf_utils.content_stream_parser import parse_content_stream

    if depth > _MAX_DEPTH:
        return
    resources = xobj.get("/Resources")
    xobjects = resources.get("/XObject", generic.DictionaryObject()) if resources is not None else {}
    stack: list[Matrix] = []
    cur = ctm
    for op in parse_content_stream([xobj]):
        if op.op == "q":
            stack.append(cur)
        elif op.op == "Q":
            cur = stack.pop() if stack else ctm
        elif op.op == "cm" and len(op.args) == 6:
            m = tuple(float(a) for a in op.args)
            cur = _mul(m, cur)  # type: ignore[arg-type]
        elif op.op == "Do" and op.args:
            target = xobjects.get(op.args[0])
            if target is None:
                continue
            target = target.get_object()
            subtype = target.get("/Subtype")
            if subtype == "/Image":
                out.append(_unit_square(cur))
            elif subtype == "/Form":
                matrix = target.get("/Matrix")
                inner = tuple(float(v) for v in matrix) if matrix else _IDENTITY
                _images_in(target, _mul(inner, cur), depth + 1, out)  # type: ignore[arg-type]


def image_boxes(reader: PdfFileReader, widget_name: str) -> list[Box]:
    """Page-space boxes of the images the widget's normal appearance paints ([] if none)."""
    from pyhanko.sign import fields

    for name, _value, ref in fields.enumerate_sig_fields(reader, filled_status=None, with_name=widget_name):
        annot = widget_annotation(ref.get_object())
        try:
            ap = annot["/AP"]["/N"]
            ap = ap.get_object()
            if not isinstance(ap, generic.StreamObject):
                return []  # an appearance sub-dictionary (states): not a signature image
            x1, y1, _x2, _y2 = _rect(annot)
            raw = [float(v) for v in ap.get("/BBox", [0, 0, 0, 0])]
            # pyHanko writes [0 h w 0]: a rectangle may name any two opposite corners
            bbox = [min(raw[0], raw[2]), min(raw[1], raw[3])]
            matrix = ap.get("/Matrix")
            m = tuple(float(v) for v in matrix) if matrix else _IDENTITY
            # Simplified form of ISO 32000 12.5.5 for the unrotated appearances signing
            # tools write: the BBox's lower-left corner lands on the Rect's.
            ctm = _mul(m, (1.0, 0.0, 0.0, 1.0, x1 - bbox[0], y1 - bbox[1]))  # type: ignore[arg-type]
            out: list[Box] = []
            _images_in(ap, ctm, 0, out)
            return out
        except Exception as e:
            logger.info("cannot read the appearance of %s (%s); using its rectangle", name, e)
            return []
    return []


def empty_field_exists(pdf: str | os.PathLike[str] | bytes, name: str) -> bool:
    """Whether the PDF has an unsigned signature field called ``name`` (False if unreadable)."""
    import io
    from pathlib import Path

    from pyhanko.sign import fields

    try:
        data = pdf if isinstance(pdf, bytes) else Path(pdf).read_bytes()
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        return any(True for _ in fields.enumerate_sig_fields(reader, filled_status=False, with_name=name))
    except Exception:
        return False
