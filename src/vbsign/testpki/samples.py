"""Sample Vietnamese official documents (for the demo, tests and benchmarks).

The layout follows the usual "Quyết định" form of Decree 30/2020 (national emblem line,
governing body and agency name, number, place and date, title, body, signature block with
"KT. CỤC TRƯỞNG").
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from vbsign.appearance.fonts import find_font


@dataclass(frozen=True)
class SampleDocument:
    """A "Quyết định" of a unit under a ministry — the shape of the real G2 agency certificate
    (``O=BỘ TÀI CHÍNH, CN=CỤC THUẾ``): the test PKI's ``agency`` seal is the unit's,
    ``O=BỘ KHOA HỌC VÀ CÔNG NGHỆ, CN=CỤC CHUYỂN ĐỔI SỐ QUỐC GIA``."""

    agency: str = "CỤC CHUYỂN ĐỔI SỐ QUỐC GIA"
    #: the governing body, printed above the agency's name (``None``: none)
    parent_agency: str | None = "BỘ KHOA HỌC VÀ CÔNG NGHỆ"
    number: str = "414/QĐ-CĐSQG"
    place_date: str = "Hà Nội, ngày 27 tháng 11 năm 2026"
    kind: str = "QUYẾT ĐỊNH"
    title: str = "Phê duyệt Kế hoạch triển khai chữ ký số chuyên dùng công vụ"
    #: who issues the decision (the line above "Căn cứ …")
    issuer: str = "CỤC TRƯỞNG CỤC CHUYỂN ĐỔI SỐ QUỐC GIA"
    signer_title_line: str = "KT. CỤC TRƯỞNG"
    signer_title: str = "PHÓ CỤC TRƯỞNG"
    signer_name: str = "Nguyễn Văn A"
    pages: int = 1


BODY = [
    "Căn cứ Luật Giao dịch điện tử số 20/2023/QH15;",
    "Căn cứ Nghị định số 68/2024/NĐ-CP quy định về chữ ký số chuyên dùng công vụ;",
    "Căn cứ Nghị định số 30/2020/NĐ-CP về công tác văn thư;",
    "Theo đề nghị của Chánh Văn phòng Cục,",
]
ARTICLES = [
    "Điều 1. Phê duyệt Kế hoạch triển khai chữ ký số chuyên dùng công vụ tại các đơn vị "
    "thuộc Cục (chi tiết tại Phụ lục kèm theo).",
    "Điều 2. Văn phòng Cục chủ trì, phối hợp với các phòng, trung tâm thuộc Cục "
    "tổ chức thực hiện theo quy định hiện hành.",
    "Điều 3. Quyết định này có hiệu lực kể từ ngày ký.",
    "Điều 4. Chánh Văn phòng Cục và Thủ trưởng các đơn vị thuộc Cục "
    "chịu trách nhiệm thi hành Quyết định này.",
]


@dataclass(frozen=True)
class _Page:
    """The A4 page geometry: margins and the centres of the two header columns."""

    width: float
    height: float
    left: float
    right: float
    left_cx: float
    right_cx: float


def _wrap(text: str, font: str, size: float, max_width: float) -> list[str]:
    from reportlab.pdfbase import pdfmetrics

    words, lines, cur = text.split(), [], ""
    for w in words:
        trial = f"{cur} {w}".strip()
        if pdfmetrics.stringWidth(trial, font, size) <= max_width:
            cur = trial
        else:
            lines.append(cur)
            cur = w
    if cur:
        lines.append(cur)
    return lines


def official_document_pdf(doc: SampleDocument = SampleDocument()) -> bytes:
    """Render the sample document to PDF bytes (A4, Times New Roman–metric font)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    regular, bold = find_font(False), find_font(True)
    pdfmetrics.registerFont(TTFont("VBSerif", str(regular)))
    pdfmetrics.registerFont(TTFont("VBSerif-Bold", str(bold)))

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    c.setTitle(f"{doc.kind} {doc.number}")
    c.setAuthor(doc.agency)
    c.setCreator("vbsign")
    width, height = A4
    left, right = 30 * mm, width - 20 * mm

    # Header in two columns (Decree 30/2020 Appendix I): agency + number on the left,
    # national title + motto + place/date on the right; each column is centred on its
    # own widest line so that the two never overlap. The first line sits 25 mm from the
    # top edge (top margin 20–25 mm), which leaves the top-right corner free for the
    # attachment / copy signature text.
    number = f"Số: {doc.number}"
    left_w = max(
        pdfmetrics.stringWidth(doc.agency, "VBSerif-Bold", 12),
        pdfmetrics.stringWidth(doc.parent_agency or "", "VBSerif", 12),
        pdfmetrics.stringWidth(number, "VBSerif", 13),
    )
    right_w = max(
        pdfmetrics.stringWidth(_NATIONAL, "VBSerif-Bold", 12),
        pdfmetrics.stringWidth(_MOTTO, "VBSerif-Bold", 13),
        pdfmetrics.stringWidth(doc.place_date, "VBSerif", 13),
    )
    geo = _Page(width, height, left, right, left + left_w / 2, right - right_w / 2)
    for page in range(doc.pages):
        y = _draw_header(c, doc, page, geo)
        y = _draw_body(c, y, geo)
        _draw_signature_block(c, doc, y, geo)
        c.showPage()
    c.save()
    return buf.getvalue()


_NATIONAL, _MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"


def _draw_header(c: Any, doc: SampleDocument, page: int, geo: _Page) -> float:
    """The two-column header, the document kind, title and issuer; returns the next line's y."""
    from reportlab.lib.units import mm

    left_cx, right_cx, width = geo.left_cx, geo.right_cx, geo.width
    y: float = geo.height - 25 * mm
    c.setFont("VBSerif-Bold", 12)
    c.drawCentredString(right_cx, y, _NATIONAL)
    if doc.parent_agency:
        c.setFont("VBSerif", 12)
        c.drawCentredString(left_cx, y, doc.parent_agency)
        c.setFont("VBSerif-Bold", 12)
        c.drawCentredString(left_cx, y - 5.5 * mm, doc.agency)
    else:
        c.drawCentredString(left_cx, y, doc.agency)
    y -= 6 * mm
    c.setFont("VBSerif-Bold", 13)
    c.drawCentredString(right_cx, y, _MOTTO)
    y -= 10 * mm
    c.setFont("VBSerif", 13)
    c.drawCentredString(left_cx, y, f"Số: {doc.number}")
    c.drawCentredString(right_cx, y, doc.place_date)
    y -= 15 * mm
    c.setFont("VBSerif-Bold", 14)
    c.drawCentredString(width / 2, y, doc.kind if page == 0 else f"{doc.kind} (trang {page + 1})")
    y -= 7 * mm
    for line in _wrap(doc.title, "VBSerif-Bold", 14, geo.right - geo.left - 20 * mm):
        c.drawCentredString(width / 2, y, line)
        y -= 6 * mm
    y -= 4 * mm
    c.setFont("VBSerif-Bold", 14)
    c.drawCentredString(width / 2, y, doc.issuer)
    y -= 10 * mm
    return y


def _draw_body(c: Any, y: float, geo: _Page) -> float:
    """The grounds and the articles; returns the next line's y."""
    from reportlab.lib.units import mm

    left, right = geo.left, geo.right
    c.setFont("VBSerif", 14)
    for para in BODY:
        for line in _wrap(para, "VBSerif", 14, right - left - 10 * mm):
            c.drawString(left + 10 * mm, y, line)
            y -= 6.5 * mm
    c.setFont("VBSerif-Bold", 14)
    c.drawCentredString(geo.width / 2, y - 2 * mm, "QUYẾT ĐỊNH:")
    y -= 10 * mm
    c.setFont("VBSerif", 14)
    for art in ARTICLES:
        for line in _wrap(art, "VBSerif", 14, right - left - 10 * mm):
            c.drawString(left + 10 * mm, y, line)
            y -= 6.5 * mm
        y -= 1.5 * mm
    return y


def _draw_signature_block(c: Any, doc: SampleDocument, y: float, geo: _Page) -> None:
    """The signer's block (right column) and the recipients (left)."""
    from reportlab.lib.units import mm

    y -= 6 * mm
    cx = geo.right - 45 * mm
    c.setFont("VBSerif-Bold", 14)
    c.drawCentredString(cx, y, doc.signer_title_line)
    c.drawCentredString(cx, y - 6 * mm, doc.signer_title)
    c.drawCentredString(cx, y - 40 * mm, doc.signer_name)
    c.setFont("VBSerif-Bold", 12)
    c.drawString(geo.left, y, "Nơi nhận:")
    c.setFont("VBSerif", 11)
    for i, line in enumerate(["- Như Điều 4;", "- Lãnh đạo Bộ (để b/c);", "- Lưu: VT, VP."]):
        c.drawString(geo.left, y - (5 + 5 * i) * mm, line)
