"""Print-ready PDF building blocks (reportlab): fonts, the administrative header, tables,
signature blocks.

Layout follows the usual shape of Vietnamese administrative documents (NĐ 30/2020): the
issuing body top left (parent agency, then the unit in bold), the national motto top right,
place and date, a bold centred title, and signature blocks at the end. Text uses a
Times-compatible font with all 134 Vietnamese letters (:func:`vbsign.appearance.fonts.find_font`);
text stays text (extractable, searchable), never an image.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from datetime import date
from typing import Any

from vbsign.appearance.fonts import find_font

FONT = "VBSerif"
FONT_BOLD = "VBSerif-Bold"
_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the Vietnamese-capable regular and bold fonts with reportlab (once)."""
    global _registered
    with _lock:
        if _registered:
            return
        from reportlab.lib.fonts import addMapping
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        pdfmetrics.registerFont(TTFont(FONT, str(find_font())))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(find_font(bold=True))))
        for italic in (0, 1):
            addMapping(FONT, 0, italic, FONT)
            addMapping(FONT, 1, italic, FONT_BOLD)
        _registered = True


def styles() -> dict[str, Any]:
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
    from reportlab.lib.styles import ParagraphStyle

    register_fonts()
    base = ParagraphStyle("base", fontName=FONT, fontSize=12, leading=15, alignment=TA_JUSTIFY)
    return {
        "base": base,
        "left": ParagraphStyle("left", parent=base, alignment=TA_LEFT),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER),
        "center_bold": ParagraphStyle("center_bold", parent=base, alignment=TA_CENTER, fontName=FONT_BOLD),
        "title": ParagraphStyle(
            "title", parent=base, alignment=TA_CENTER, fontName=FONT_BOLD, fontSize=14, leading=18, spaceBefore=10
        ),
        "subtitle": ParagraphStyle("subtitle", parent=base, alignment=TA_CENTER, fontSize=12, spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=base, fontName=FONT_BOLD, fontSize=12.5, spaceBefore=10, spaceAfter=4),
        "cell": ParagraphStyle("cell", parent=base, fontSize=10, leading=12, alignment=TA_LEFT),
        "cell_num": ParagraphStyle("cell_num", parent=base, fontSize=10, leading=12, alignment=2),
        "cell_head": ParagraphStyle(
            "cell_head", parent=base, fontSize=10, leading=12, alignment=TA_CENTER, fontName=FONT_BOLD
        ),
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=11),
    }


def esc(text: object) -> str:
    from xml.sax.saxutils import escape

    return escape("" if text is None else str(text))


def vn_date_line(locality: str | None, on: date) -> str:
    """``Hà Nội, ngày 05 tháng 12 năm 2026`` (the dated place line of a document)."""
    place = f"{locality}, " if locality else ""
    return f"{place}ngày {on.day:02d} tháng {on.month:02d} năm {on.year}"


def header(settings: dict[str, str], on: date, *, width: float, number: str | None = None) -> list[Any]:
    """The two-column administrative header (issuing body | national motto, date)."""
    from reportlab.platypus import Paragraph, Table, TableStyle

    st = styles()
    agency = esc(settings.get("agency", "")).upper()
    office = esc(settings.get("office", "")).upper()
    left = []
    if agency:
        left.append(Paragraph(agency, st["center"]))
    if office:
        left.append(Paragraph(f"<b><u>{office}</u></b>", st["center"]))
    if number:
        left.append(Paragraph(f"Số: {esc(number)}", st["center"]))
    right = [
        Paragraph("<b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b>", st["center"]),
        Paragraph("<b><u>Độc lập - Tự do - Hạnh phúc</u></b>", st["center"]),
        Paragraph(f"<i>{esc(vn_date_line(settings.get('locality'), on))}</i>", st["center"]),
    ]
    t = Table([[left, right]], colWidths=[width * 0.42, width * 0.58])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return [t]


def data_table(
    head: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[float], *, numeric: Sequence[int] = ()
) -> Any:
    """A bordered table with a repeated bold header row; cells wrap."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    st = styles()
    num_cols = set(numeric)
    data: list[list[Any]] = [[Paragraph(esc(h), st["cell_head"]) for h in head]]
    for row in rows:
        # numbers are plain strings (fast, never wrap); text cells are paragraphs (wrap)
        data.append([str(v) if i in num_cols else Paragraph(esc(v), st["cell"]) for i, v in enumerate(row)])
    t = Table(data, colWidths=list(widths), repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 1), (-1, -1), FONT),
                ("FONTSIZE", (0, 1), (-1, -1), 10),
                *[("ALIGN", (i, 1), (i, -1), "RIGHT") for i in sorted(num_cols)],
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return t


def signature_blocks(blocks: Sequence[tuple[str, str | None]], *, width: float) -> Any:
    """Side-by-side signature blocks: (title, name) each, with room to sign."""
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    st = styles()
    cells = []
    for title, name in blocks:
        cells.append(
            [
                Paragraph(f"<b>{esc(title).upper()}</b>", st["center"]),
                Paragraph("<i>(Ký, ghi rõ họ tên)</i>", st["center"]),
                Spacer(1, 70),
                Paragraph(f"<b>{esc(name)}</b>" if name else "", st["center"]),
            ]
        )
    t = Table([cells], colWidths=[width / len(blocks)] * len(blocks))
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return t


def build(story: list[Any], *, landscape: bool = False, title: str = "", author: str = "vbsign") -> bytes:
    """Render ``story`` to PDF bytes (A4, 2 cm margins, 3 cm left margin as NĐ 30/2020)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.pagesizes import landscape as to_landscape
    from reportlab.lib.units import cm
    from reportlab.platypus import SimpleDocTemplate

    register_fonts()
    size = to_landscape(A4) if landscape else A4
    buf = io.BytesIO()

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 9)
        canvas.drawRightString(size[0] - 2 * cm, 1.2 * cm, f"Trang {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buf,
        pagesize=size,
        leftMargin=3 * cm if not landscape else 2 * cm,
        rightMargin=1.5 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=title,
        author=author,
        creator="vbsign",
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def frame_width(*, landscape: bool = False) -> float:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.pagesizes import landscape as to_landscape
    from reportlab.lib.units import cm

    size = to_landscape(A4) if landscape else A4
    left = 2 * cm if landscape else 3 * cm
    return float(size[0] - left - 1.5 * cm) - 12  # frame padding
