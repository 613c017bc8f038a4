"""The human verification report as HTML (Jinja2) and as PDF (WeasyPrint), from one template.

The template (``templates/report.html.j2``, package data) lays out a
:class:`~vbsign.model.report_view.ReportView`; its stylesheet (``templates/report.css``) is
inlined so that a saved report is one self-contained file (page pictures are ``data:`` URIs).
Jinja2 autoescapes: file, field and certificate names come from outside and are shown as
text, never as markup.

PDF: the same HTML is laid out by WeasyPrint (HTML/CSS → PDF with Pango), chosen over a
headless browser's print-to-PDF (a browser per report: seconds and hundreds of MB, not for
a CLI or a worker) and over drawing the data again with reportlab (a second layout that
would drift from the HTML). WeasyPrint is given the fonts vbsign checked for all 134
Vietnamese letters (:func:`vbsign._core.fonts.find_font`) and a URL fetcher that loads
nothing but those fonts and ``data:`` URIs — a report never reaches the network or the file
system because of what a document says.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vbsign._core.errors import ConfigurationError
from vbsign._core.fonts import find_font
from vbsign._core.i18n import Lang, Msg, current_lang
from vbsign._version import __version__
from vbsign.model.report_view import PagePicture, PolicyView, ReportView, build_view

if TYPE_CHECKING:  # pragma: no cover
    import jinja2

    from vbsign.model.report_types import Report

_TEMPLATES = Path(__file__).with_name("templates")
#: the family name the stylesheet asks for first; bound to the checked font files for PDF
FONT_FAMILY = "VbsignSerif"


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    import jinja2  # optional until a human report is asked for (start-up time)

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )


@functools.lru_cache(maxsize=1)
def _css() -> str:
    return (_TEMPLATES / "report.css").read_text("utf-8")


def render_view(view: ReportView) -> str:
    """HTML of a prepared view."""
    from markupsafe import Markup  # comes with Jinja2

    template = _environment().get_template("report.html.j2")
    # the stylesheet is vbsign's own package file: markup, not text to escape
    return template.render(v=view, L=view.labels, css=Markup(_css()), version=__version__)


def render_html(
    report: Report,
    lang: Lang | None = None,
    *,
    pictures: Sequence[PagePicture] = (),
    policy: PolicyView | None = None,
) -> str:
    """The report as a self-contained HTML page in ``lang`` (default: the current language)."""
    return render_view(build_view(report, lang or current_lang(), pictures=pictures, policy=policy))


def _font_faces() -> tuple[str, frozenset[str]]:
    """``@font-face`` rules binding :data:`FONT_FAMILY` to checked font files, and their URLs."""
    regular, bold = find_font(False), find_font(True)
    urls = {"normal": regular.resolve().as_uri(), "bold": bold.resolve().as_uri()}
    css = "".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; src: url("{url}"); }}\n'
        for weight, url in urls.items()
    )
    return css, frozenset(urls.values())


def _fetcher(allowed: frozenset[str]) -> Any:
    """A WeasyPrint URL fetcher for ``data:`` URIs and the given font files only."""
    from weasyprint.urls import URLFetcher

    class _ReportFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:") or url in allowed:
                return super().fetch(url, headers)
            raise ValueError(f"vbsign report: refusing to load {url[:80]!r}")

    return _ReportFetcher(allowed_protocols=("data", "file"), allow_redirects=False)


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as e:  # OSError: the Pango libraries are missing
        raise ConfigurationError(
            Msg(
                "Xuất báo cáo PDF cần WeasyPrint và thư viện Pango: pip install 'vbsign[report]' "
                "(Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0). Lỗi: {e}",
                "PDF reports need WeasyPrint and the Pango libraries: pip install 'vbsign[report]' "
                "(Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0). Error: {e}",
            ).format(e=e)
        ) from e
    return weasyprint


def html_to_pdf(html: str) -> bytes:
    """Lay ``html`` (a page from :func:`render_view`) out as an A4 PDF."""
    weasyprint = _weasyprint()
    faces, allowed = _font_faces()
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()  # @font-face rules need it, given to both calls
    document = weasyprint.HTML(string=html, url_fetcher=_fetcher(allowed))
    stylesheet = weasyprint.CSS(string=faces, url_fetcher=_fetcher(allowed), font_config=fonts)
    pdf = document.write_pdf(stylesheets=[stylesheet], font_config=fonts)
    assert isinstance(pdf, bytes)
    return pdf


def render_pdf(
    report: Report,
    lang: Lang | None = None,
    *,
    pictures: Sequence[PagePicture] = (),
    policy: PolicyView | None = None,
) -> bytes:
    """The report as an A4 PDF in ``lang``: the HTML of :func:`render_html`, printed."""
    return html_to_pdf(render_html(report, lang, pictures=pictures, policy=policy))


__all__ = ["FONT_FAMILY", "html_to_pdf", "render_html", "render_pdf", "render_view"]
