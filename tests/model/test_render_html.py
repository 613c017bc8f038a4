"""The human verification report: one template, HTML and PDF, Vietnamese first; page
pictures with the signature boxes outlined; the policy section of a validation."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

import vbsign
import vbsign.api
from vbsign._core.timefmt import format_vn_time
from vbsign.model.report import Indication, Report
from vbsign.pki.validation import Services

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) missing")


@pytest.fixture(scope="module")
def report(demo: Path) -> Report:
    return vbsign.verify(demo / "signed.pdf", trust=[demo / "pki" / "roots.pem"], services=Services(online=False))


@pytest.fixture(scope="module")
def bad_report(tampered: Path, demo: Path) -> Report:
    return vbsign.verify(tampered, trust=[demo / "pki" / "roots.pem"], services=Services(online=False))


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _signers(report: Report) -> list[tuple[str, str]]:
    return [(s.signer.common_name or "", format_vn_time(s.signing_time)) for s in report.signatures if s.signer and s.signing_time]


def test_html_vietnamese_verdict_signers_times(report: Report) -> None:
    assert report.indication is Indication.TOTAL_PASSED
    html = report.to_html()
    assert '<html lang="vi">' in html
    assert "Báo cáo kiểm tra chữ ký số" in html
    assert 'data-indication="TOTAL-PASSED">HỢP LỆ<' in html
    assert report.document.sha256 in html
    signers = _signers(report)
    assert len(signers) == 2
    for name, when in signers:
        assert name in html and when in html
    for label in ("Tổ chức cấp chứng thư", "Thời hạn chứng thư", "theo dấu thời gian", "Mức chữ ký", "PAdES B-LT",
                  "Toàn vẹn", "Thay đổi sau khi ký", "Trạng thái thu hồi", "dữ liệu nhúng trong tệp", "Thời điểm kiểm tra",
                  f"vbsign {vbsign.__version__}"):
        assert label in html, label
    assert "<script" not in html  # a report runs nothing


def test_html_english(report: Report) -> None:
    html = report.to_html("en")
    assert '<html lang="en">' in html and ">VALID<" in html and "Issuing CA" in html and "HỢP LỆ" not in html


def test_html_escapes_names_from_documents(report: Report) -> None:
    evil = dataclasses.replace(report, document=dataclasses.replace(report.document, name='<img src=x onerror="alert(1)">.pdf'))
    html = evil.to_html()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;.pdf" in html


def test_invalid_document_says_why(bad_report: Report) -> None:
    html = bad_report.to_html()
    assert 'data-indication="TOTAL-FAILED / HASH_FAILURE">KHÔNG HỢP LỆ<' in html
    assert "Lý do" in html and "giá trị băm không khớp" in html
    assert "tone-invalid" in html


def test_pdf_text_and_fonts(report: Report, tmp_path: Path) -> None:
    pdf = report.to_pdf()
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf, tmp_path)
    assert "HỢP LỆ" in text and "Báo cáo kiểm tra chữ ký số" in text
    for name, when in _signers(report):
        assert name in text and when in text
    fonts = subprocess.run(["pdffonts", str(tmp_path / "r.pdf")], capture_output=True, text=True, check=True).stdout
    # the fonts vbsign checked for all 134 Vietnamese letters, embedded
    assert "VbsignSerif" in fonts and "VbsignSerif-Bold" in fonts


def test_page_pictures_outline_each_signature(report: Report, demo: Path) -> None:
    from vbsign.formats.pades.pictures import COLOURS

    pictures = vbsign.api.page_pictures(report, demo / "signed.pdf")
    assert [p.page for p in pictures] == [0]
    pic = pictures[0]
    assert {b.signature_id for b in pic.boxes} == {"S1", "S2"}
    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(pic.png)).convert("RGB")
    assert image.size == (pic.width, pic.height) and pic.width <= 800
    for box in pic.boxes:
        sig = next(s for s in report.signatures if s.id == box.signature_id)
        app = sig.appearance
        assert app is not None
        # the box is where the widget is: the page is 595 pt wide, pictured at width/595 px per pt
        scale = pic.width / app.page_size[0]
        assert box.box[0] == pytest.approx(app.rect[0] * scale, abs=1.5)
        assert box.box[1] == pytest.approx((app.page_size[1] - app.rect[3]) * scale, abs=1.5)
        # outlined in the colour of its verdict, just outside the box
        x1, y1, x2, y2 = (int(round(v)) for v in box.box)
        edge = image.getpixel(((x1 + x2) // 2, y2 + 2))
        assert edge == COLOURS[Indication.TOTAL_PASSED], (box.signature_id, edge)


def test_human_report_with_pictures_pdf_and_html(report: Report, demo: Path, tmp_path: Path) -> None:
    html = vbsign.api.human_report(report, document=demo / "signed.pdf")
    assert isinstance(html, str)
    assert html.count('src="data:image/png;base64,') == 1
    assert "Trang 1, các ô chữ ký được viền màu: S1" in html
    pdf = vbsign.api.human_report(report, format="pdf", document=demo / "signed.pdf", lang="en")
    assert isinstance(pdf, bytes)
    assert "Page 1, signature boxes outlined" in pdf_text(pdf, tmp_path)
    images = subprocess.run(["pdfimages", "-list", str(tmp_path / "r.pdf")], capture_output=True, text=True, check=True).stdout
    assert len(images.strip().splitlines()) >= 3  # header lines + the page picture


def test_compliance_report_lists_rules_with_citations(demo: Path) -> None:
    rep = vbsign.validate(
        demo / "signed.pdf", policy=demo / "pki" / "policy-test.toml", trust=[demo / "pki" / "roots.pem"], services=Services(online=False)
    )
    html = rep.to_html()
    assert "Thẩm định theo quy định" in html
    assert re.search(r"Các quy tắc đạt:</span> [^<]*VER-0\d \(S1, S2\)", html)
    failing = [r for r in rep.results if r.status.value in ("failed", "indeterminate")]
    for r in failing:  # every rule not met is listed with its citation
        assert r.rule_id in html and r.citation("vi").split(",")[0] in html


def test_pdf_renderer_loads_nothing_from_elsewhere() -> None:
    """WeasyPrint is given a fetcher for data: URIs and the checked fonts only: markup that
    names another URL (it cannot come from a document: names are escaped) is not fetched."""
    from vbsign.model.report_html import html_to_pdf

    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        pdf = html_to_pdf(
            f'<html><head><link rel="stylesheet" href="http://127.0.0.1:{port}/x.css"></head>'
            f'<body><p>Xin chào</p><img src="http://127.0.0.1:{port}/x.png"><img src="file:///etc/hostname"></body></html>'
        )
    finally:
        server.shutdown()
        server.server_close()
    assert pdf.startswith(b"%PDF-")
    assert hits == []


def test_report_fonts_cover_every_vietnamese_letter(tmp_path: Path) -> None:
    """The PDF report's fonts have all 134 Vietnamese letters, and a page of every letter
    is drawn with them alone (no fallback font) and reads back letter for letter."""
    from vbsign._core.fonts import VIETNAMESE_LETTERS, find_font, missing_letters
    from vbsign.model.report_html import FONT_FAMILY, html_to_pdf

    assert len(VIETNAMESE_LETTERS) == 134
    for bold in (False, True):
        assert missing_letters(str(find_font(bold))) == ""
    spaced = " ".join(VIETNAMESE_LETTERS)  # a word per letter: the lines wrap, none is cut
    pdf = html_to_pdf(f'<html lang="vi"><body style="font-family: {FONT_FAMILY}"><p>{spaced}</p><p><b>{spaced}</b></p></body></html>')
    text = pdf_text(pdf, tmp_path)
    assert "".join(text.split()) == VIETNAMESE_LETTERS * 2
    fonts = subprocess.run(["pdffonts", str(tmp_path / "r.pdf")], capture_output=True, text=True, check=True).stdout
    names = [line.split()[0] for line in fonts.splitlines()[2:]]
    assert names and all("VbsignSerif" in n for n in names), names
