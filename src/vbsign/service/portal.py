"""The verification portal at ``/``: a clerk drops one or more files and reads each verdict
with the full report, then prints it or downloads it as PDF.

One page (``templates/portal.html.j2``, rendered once per language when the app starts)
with a small script and stylesheet served by the service itself (``static/``): no build
step, no CDN, nothing loaded from elsewhere (the Content-Security-Policy says so). Every
word comes from :data:`LABELS` and the report vocabulary (:data:`INDICATION_TEXT`, the
compliance statuses) — the same words as the CLI and the PDF. Accessible: ``lang``
attribute, labelled controls, a native file input reachable by keyboard (the drop zone is
its label), results announced in a live region, verdicts in words (colour only repeats
them), contrast of at least 4.5:1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from vbsign._core.i18n import Msg
from vbsign._version import __version__
from vbsign.model.report import INDICATION_TEXT
from vbsign.policy.result import STATUS_TEXT
from vbsign.service.config import ServiceConfig

_HERE = Path(__file__).parent
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "frame-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

LABELS: dict[str, Msg] = {
    "title": Msg("Kiểm tra chữ ký số văn bản điện tử", "Verify signed electronic documents"),
    "intro": Msg(
        "Chọn hoặc kéo thả văn bản đã ký (PDF, XML, edXML, hoặc tệp chữ ký .p7s cùng tệp nội dung của nó). "
        "Mỗi tệp được kiểm tra riêng; kết luận và báo cáo đầy đủ hiện ngay bên dưới.",
        "Choose or drop signed documents (PDF, XML, edXML, or a .p7s signature together with its content file). "
        "Each file is verified on its own; the verdict and the full report appear below.",
    ),
    "choose": Msg("Chọn tệp cần kiểm tra", "Choose the files to verify"),
    "drop": Msg("hoặc kéo thả tệp vào đây", "or drop the files here"),
    "types": Msg(
        "Hỗ trợ: .pdf, .xml, .p7s/.p7m (chọn cả tệp nội dung đi kèm .p7s). Tối đa {n} MB mỗi tệp.",
        "Supported: .pdf, .xml, .p7s/.p7m (choose the content file of a .p7s too). At most {n} MB per file.",
    ),
    "mode": Msg("Cách kiểm tra", "Check"),
    "mode_verify": Msg("Kiểm tra chữ ký số", "Verify the signatures"),
    "mode_validate": Msg("Thẩm định theo quy định (chính sách {p})", "Validate against the rules (policy {p})"),
    "results": Msg("Kết quả", "Results"),
    "checking": Msg("Đang kiểm tra…", "Verifying…"),
    "verdict": Msg("Kết luận", "Verdict"),
    "policy": Msg("Theo quy định", "Under the rules"),
    "reasons": Msg("Lý do", "Reasons"),
    "signers": Msg("Người ký", "Signers"),
    "report": Msg("Báo cáo đầy đủ", "Full report"),
    "show_report": Msg("Xem báo cáo đầy đủ", "Show the full report"),
    "hide_report": Msg("Ẩn báo cáo", "Hide the report"),
    "print": Msg("In báo cáo", "Print the report"),
    "download": Msg("Tải báo cáo PDF", "Download the PDF report"),
    "preparing": Msg("Đang tạo báo cáo PDF…", "Preparing the PDF report…"),
    "error": Msg("Không kiểm tra được tệp", "The file could not be verified"),
    "network": Msg("Không kết nối được dịch vụ.", "Cannot reach the service."),
    "with_content": Msg("kèm nội dung", "with content"),
    "not_kept": Msg("Tệp tải lên chỉ được xử lý trong bộ nhớ, không lưu trên máy chủ.", "Uploaded files are processed in memory and not kept on the server."),
    "kept": Msg("Tệp tải lên được lưu trên máy chủ theo cấu hình của đơn vị.", "Uploaded files are kept on the server as configured by the agency."),
    "other_lang": Msg("English", "Tiếng Việt"),
    "no_signature": Msg("không có chữ ký", "no signature"),
}


def labels(lang: str, config: ServiceConfig) -> dict[str, Any]:
    """The page's words in ``lang`` (and what the script needs: verdict words, limits)."""
    mb = max(1, config.limits.max_upload_bytes // (1 << 20))
    words = {k: m.format(n=mb, p=config.policy).get(lang) for k, m in LABELS.items()}  # type: ignore[arg-type]
    return {
        **words,
        "lang": lang,
        "indication": {i.value: m.get(lang) for i, m in INDICATION_TEXT.items()},  # type: ignore[arg-type]
        "status": {s.value: m.get(lang) for s, m in STATUS_TEXT.items()},  # type: ignore[arg-type]
        "max_upload": config.limits.max_upload_bytes,
        "uploads_kept": bool(config.keep_uploads),
    }


def render_page(lang: str, config: ServiceConfig) -> str:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(_HERE / "templates")), autoescape=True)
    words = labels(lang, config)
    return env.get_template("portal.html.j2").render(
        L=words,
        lang=lang,
        other_lang="en" if lang == "vi" else "vi",
        labels_json=json.dumps(words, ensure_ascii=False).replace("</", "<\\/"),
        version=__version__,
    )


def install(app: FastAPI, config: ServiceConfig) -> None:
    """``GET /`` (the page, ``?lang=en`` in English) and ``/static/`` (its script and style)."""
    pages = {lang: render_page(lang, config) for lang in ("vi", "en")}
    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")

    @app.get("/", include_in_schema=False)
    async def portal(request: Request, lang: str | None = None) -> HTMLResponse:
        chosen = lang if lang in pages else config.lang if config.lang in pages else "vi"
        return HTMLResponse(pages[chosen], headers=SECURITY_HEADERS)


__all__ = ["CSP", "LABELS", "SECURITY_HEADERS", "install", "labels", "render_page"]
