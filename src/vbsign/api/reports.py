"""The human verification report of a document: :func:`human_report` (HTML or PDF).

>>> import vbsign
>>> report = vbsign.verify("signed.pdf", trust=["roots.pem"])
>>> pdf = vbsign.api.human_report(report, format="pdf", document="signed.pdf")

The report's words come from the model (:meth:`vbsign.Report.to_html`); this function adds
what needs the document itself — pictures of the signed pages with each signature's box
outlined (:mod:`vbsign.formats.pades.pictures`) — and works the same for a verification
:class:`~vbsign.report.Report` and a validation
:class:`~vbsign.policy.ComplianceReport` (whose policy rules and citations are shown too).
"""

from __future__ import annotations

from typing import Literal

import vbsign._core.files as _io
from vbsign._core.errors import InputError
from vbsign._core.i18n import Lang, Msg, current_lang
from vbsign._core.secrets import SecretLike, resolve_secret
from vbsign.formats.pades.pictures import signed_page_pictures
from vbsign.model.report import Report
from vbsign.model.report_view import PagePicture
from vbsign.policy import ComplianceReport

ReportFormat = Literal["html", "pdf"]
FORMATS: tuple[ReportFormat, ...] = ("html", "pdf")


def page_pictures(
    report: Report | ComplianceReport, document: _io.Source, *, password: SecretLike = None
) -> list[PagePicture]:
    """Pictures of the document's signed pages (PDF only; ``[]`` for other formats).

    Args:
        report: a verification or a compliance report of ``document``.
        document: the verified file: a path, bytes or a binary stream.
        password: the user password of an encrypted PDF.
    """
    rep = report.verification if isinstance(report, ComplianceReport) else report
    if rep.document.format != "pdf":
        return []
    data, _ = _io.read_input(document)
    secret = resolve_secret(password)
    return signed_page_pictures(data, rep, password=secret.reveal_bytes() if secret is not None else None)


def human_report(
    report: Report | ComplianceReport,
    *,
    format: ReportFormat = "html",
    document: _io.Source | None = None,
    lang: Lang | None = None,
    password: SecretLike = None,
) -> str | bytes:
    """The human report of ``report`` in ``lang`` (Vietnamese by default): HTML text, or
    PDF bytes for ``format="pdf"``. With ``document`` (the file that was verified: path,
    bytes or stream; ``password`` for an encrypted PDF) the signed pages are pictured.

    Args:
        report: a verification or a compliance report.
        format: "html" (default) or "pdf".
        document: the verified file, to picture its signed pages (PDF).
        lang: "vi" or "en"; default: the current language.
        password: the user password of an encrypted PDF.
    """
    if format not in FORMATS:
        raise InputError(
            Msg("Định dạng báo cáo phải là html hoặc pdf: {f}", "The report format must be html or pdf: {f}").format(f=format)
        )
    lang = lang or current_lang()
    pictures = page_pictures(report, document, password=password) if document is not None else []
    if format == "pdf":
        return report.to_pdf(lang, pictures=pictures)
    return report.to_html(lang, pictures=pictures)


__all__ = ["FORMATS", "ReportFormat", "human_report", "page_pictures"]
