"""A pyHanko stamp style that draws a precomputed layout: images and lines of text.

vbsign computes where every image and line goes (see :mod:`vbsign.appearance.layout`)
before signing; this style only paints it into the signature widget's appearance stream.
Text is shaped by pyHanko's HarfBuzz-based glyph accumulator with an embedded, subsetted
TrueType font normalised to 1000 units per em (:func:`vbsign.appearance.fonts.pdf_font`), so
Vietnamese renders and extracts correctly. Images keep their alpha channel as ``/SMask``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils import layout as ph_layout
from pyhanko.pdf_utils.content import ResourceType
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import BaseStamp, BaseStampStyle

from vbsign.appearance.images import InkImage

Box = tuple[float, float, float, float]
RGB = tuple[float, float, float]
BLACK: RGB = (0.0, 0.0, 0.0)


@dataclass(frozen=True)
class PlacedImage:
    """An image drawn into ``box`` (x1, y1, x2, y2), relative to the drawing's origin."""

    image: InkImage
    box: Box


@dataclass(frozen=True)
class PlacedText:
    """One line of text; ``(x, y)`` is the start of its baseline, relative to the origin."""

    text: str
    x: float
    y: float
    size: float
    colour: RGB = BLACK


@dataclass(frozen=True)
class Drawing:
    """Everything one appearance shows, in a ``width`` × ``height`` point box."""

    width: float
    height: float
    images: tuple[PlacedImage, ...] = ()
    texts: tuple[PlacedText, ...] = ()
    font: Path | None = None

    @property
    def text(self) -> str:
        return "\n".join(t.text for t in self.texts)


@dataclass(frozen=True)
class DrawingStampStyle(BaseStampStyle):
    """Stamp style painting a :class:`Drawing` (no border, no pyHanko default text).

    Either ``drawing`` is laid out in advance, or ``factory(width, height)`` lays it out
    for the widget's actual size (existing fields whose size is only known to pyHanko).
    """

    drawing: Drawing | None = None
    factory: Callable[[float, float], Drawing] | None = None
    border_width: int = 0

    def create_stamp(
        self, writer: BasePdfFileWriter, box: ph_layout.BoxConstraints, text_params: dict[str, Any]
    ) -> DrawingStamp:
        return DrawingStamp(writer, self, box)


def _f(value: float) -> bytes:
    return (b"%.3f" % value).rstrip(b"0").rstrip(b".") or b"0"


class DrawingStamp(BaseStamp):
    """Renders the :class:`Drawing` of a :class:`DrawingStampStyle`."""

    def __init__(self, writer: BasePdfFileWriter, style: DrawingStampStyle, box: ph_layout.BoxConstraints) -> None:
        drawing = style.drawing
        if drawing is None:
            assert style.factory is not None and box is not None
            drawing = style.factory(float(box.width), float(box.height))
        if box is None or not (box.width_defined and box.height_defined):
            box = ph_layout.BoxConstraints(width=drawing.width, height=drawing.height)
        super().__init__(writer=writer, style=style, box=box)
        self.drawing = drawing

    def _render_inner_content(self) -> list[bytes]:
        drawing = self.drawing
        cmds: list[bytes] = [b"q"]
        # an existing field may be a little larger or smaller than planned: scale uniformly
        sx, sy = self.box.width / drawing.width, self.box.height / drawing.height
        scale = min(sx, sy)
        if abs(scale - 1) > 1e-6:
            dx = (self.box.width - drawing.width * scale) / 2
            dy = (self.box.height - drawing.height * scale) / 2
            cmds.append(b"%s 0 0 %s %s %s cm" % (_f(scale), _f(scale), _f(dx), _f(dy)))
        if drawing.images:
            from pyhanko.pdf_utils import generic
            from pyhanko.pdf_utils.images import pil_image

            # Ink, not paint: images are composited with the Multiply blend mode, as seal
            # ink and pen strokes behave on paper. Text under the seal stays readable (black
            # × red = black) instead of being painted over, which is also what tells a
            # legitimate Decree 30/2020 seal apart from a "sneaky signature" hiding content.
            self.set_resource(
                category=ResourceType.EXT_G_STATE,
                name=pdf_name("/VbInk"),
                value=generic.DictionaryObject(
                    {pdf_name("/Type"): pdf_name("/ExtGState"), pdf_name("/BM"): pdf_name("/Multiply")}
                ),
            )
            for i, placed in enumerate(drawing.images):
                name = f"/VbImg{i}"
                assert self.writer is not None
                ref = pil_image(placed.image.image, self.writer)
                self.set_resource(category=ResourceType.XOBJECT, name=pdf_name(name), value=ref)
                x1, y1, x2, y2 = placed.box
                cmds.append(
                    b"q /VbInk gs %s 0 0 %s %s %s cm %s Do Q"
                    % (_f(x2 - x1), _f(y2 - y1), _f(x1), _f(y1), name.encode("ascii"))
                )
        if drawing.texts:
            from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory

            assert drawing.font is not None and self.writer is not None
            engine = GlyphAccumulatorFactory(str(drawing.font)).create_font_engine(self.writer)
            self.set_resource(category=ResourceType.FONT, name=pdf_name("/VbF1"), value=engine.as_resource())
            for t in drawing.texts:
                engine.font_size = t.size  # type: ignore[assignment]
                shaped = engine.shape(t.text)
                r, g, b = t.colour
                cmds.append(
                    b"BT /VbF1 %s Tf %s %s %s rg 1 0 0 1 %s %s Tm %s ET"
                    % (_f(t.size), _f(r), _f(g), _f(b), _f(t.x), _f(t.y), shaped.graphics_ops)
                )
        cmds.append(b"Q")
        return cmds
