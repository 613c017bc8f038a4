"""What the human verification report shows, resolved to one language: a plain view of a
:class:`~vbsign.model.report.Report` that the HTML/PDF template (:mod:`.report_html`) only
lays out.

The template never decides anything: every word, colour class and order is chosen here,
from the same tables as the text rendering (:mod:`vbsign.model.render`), so that the
terminal, the HTML page and the printed PDF say the same thing. The report is the EU DSS
"simple report" idea, Vietnamese first: the verdict in words and colour, then one block per
signature with what Circular 15/2025 Art. 6 cl. 4 asks a verification tool to display
(signer, unit, issuing CA, signing time and its proof, integrity, validity at the signing
time, certificate validity), then the evidence a clerk files with the document (level,
changes after signing, revocation status and source, policy rules with their citations).

Pictures of the signed pages come from the caller (:class:`PagePicture`): drawing a PDF
page needs a PDF renderer, which belongs to the formats layer
(:func:`vbsign.formats.pades.pictures.signed_page_pictures`, called by
:func:`vbsign.api.human_report`).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from vbsign._core.i18n import Lang, Msg
from vbsign._core.timefmt import vn_time
from vbsign._version import __version__
from vbsign.model.render import (
    _FAMILY,
    _L,
    _REVO,
    _SOURCE,
    _changes_line,
    _name,
    _org,
)
from vbsign.model.report_types import (
    INDICATION_TEXT,
    Finding,
    Indication,
    Report,
    Severity,
    SignatureReport,
)

#: CSS class of a verdict (colour + border; the words are always shown too)
Tone = Literal["valid", "invalid", "indeterminate", "none"]

TONE: dict[Indication, Tone] = {
    Indication.TOTAL_PASSED: "valid",
    Indication.TOTAL_FAILED: "invalid",
    Indication.INDETERMINATE: "indeterminate",
    Indication.NO_SIGNATURE_FOUND: "none",
}

LABELS: dict[str, Msg] = {
    "heading": Msg("Báo cáo kiểm tra chữ ký số", "Digital signature verification report"),
    "document": Msg("Văn bản", "Document"),
    "sha256": Msg("Mã băm SHA-256", "SHA-256 digest"),
    "size": Msg("Kích thước", "Size"),
    "format": Msg("Định dạng", "Format"),
    "pages": Msg("Số trang", "Pages"),
    "bytes": Msg("byte", "bytes"),
    "verdict": Msg("Kết luận", "Verdict"),
    "reasons": Msg("Lý do", "Reasons"),
    "signatures": Msg("Các chữ ký", "Signatures"),
    "no_signatures": Msg("Không có chữ ký nào trong tệp.", "The file holds no signature."),
    "document_findings": Msg("Ghi nhận về văn bản", "About the document"),
    "findings": Msg("Ghi nhận", "Findings"),
    "pictures": Msg("Các trang đã ký", "Signed pages"),
    "picture_alt": Msg("Trang {p}, các ô chữ ký được viền màu: {s}", "Page {p}, signature boxes outlined: {s}"),
    "picture_first": Msg("Trang 1 (các chữ ký không hiển thị trên trang)", "Page 1 (the signatures are not visible on the page)"),
    "page": Msg("Trang", "Page"),
    "on_page": Msg("Trên trang", "On page"),
    "invisible": Msg("không hiển thị", "not visible"),
    "appearance": Msg("Hình thức chữ ký", "Appearance"),
    "attachments": Msg("Tệp đính kèm", "Attachments"),
    "policy": Msg("Thẩm định theo quy định", "Validation against the rules"),
    "policy_name": Msg("Chính sách", "Policy"),
    "rule": Msg("Quy tắc", "Rule"),
    "rules_passed": Msg("Các quy tắc đạt", "Rules passed"),
    "rules_checked": Msg("Các quy tắc chưa đạt hoặc cần lưu ý", "Rules not met or worth noting"),
    "rules_all_passed": Msg("Mọi quy tắc áp dụng đều đạt.", "Every applicable rule is met."),
    "level_col": Msg("Mức", "Level"),
    "result": Msg("Kết quả", "Result"),
    "basis": Msg("Căn cứ", "Basis"),
    "validation_time": Msg("Thời điểm kiểm tra", "Validated at"),
    "validation_mode": Msg("Hiệu lực chứng thư xét tại", "Certificate validity judged at"),
    "trust": Msg("Chứng thư gốc tin cậy đã dùng", "Trust anchors used"),
    "software": Msg("Phần mềm", "Software"),
    "error": Msg("Lỗi", "Error"),
    "warning": Msg("Cảnh báo", "Warning"),
    "info": Msg("Thông tin", "Information"),
    "none_configured": Msg("không có", "none"),
    "lang_attr": Msg("vi", "en"),
}

EXPLANATION: dict[Indication, Msg] = {
    Indication.TOTAL_PASSED: Msg(
        "Mọi chữ ký số trên văn bản đều hợp lệ và văn bản không bị thay đổi trái phép sau khi ký.",
        "Every digital signature on the document is valid and the document was not changed without "
        "permission after signing.",
    ),
    Indication.TOTAL_FAILED: Msg(
        "Có chữ ký số không hợp lệ hoặc văn bản đã bị thay đổi sau khi ký. Không dùng văn bản này như "
        "bản gốc; liên hệ nơi gửi.",
        "A digital signature is invalid or the document was changed after signing. Do not rely on this "
        "document as the original; contact the sender.",
    ),
    Indication.INDETERMINATE: Msg(
        "Chưa đủ căn cứ để kết luận (ví dụ: chứng thư gốc không được tin cậy, thiếu dữ liệu thu hồi "
        "hoặc chưa chứng minh được thời điểm ký). Xem lý do bên dưới.",
        "There is not enough evidence to conclude (for example an untrusted root certificate, missing "
        "revocation data or an unproven signing time). See the reasons below.",
    ),
    Indication.NO_SIGNATURE_FOUND: Msg(
        "Không tìm thấy chữ ký số nào trong tệp.",
        "No digital signature was found in the file.",
    ),
}

_FORMAT_NAME = {"pdf": "PDF", "xml": "XML", "cms": "CMS / CAdES", "mail": "S/MIME"}
_MARK: dict[Severity, str] = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}


@dataclass(frozen=True)
class PictureBox:
    """One signature box on a page picture, in the picture's pixels (origin top left)."""

    signature_id: str
    box: tuple[float, float, float, float]
    indication: Indication


@dataclass(frozen=True)
class PagePicture:
    """A rendered page (PNG) with the signature boxes already outlined on it."""

    page: int  #: 0-based page index
    png: bytes
    width: int
    height: int
    boxes: tuple[PictureBox, ...] = ()

    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    #: "ok", "bad", "warn" or "" — a colour hint; the words carry the meaning
    tone: str = ""


@dataclass(frozen=True)
class FindingView:
    severity: str  #: "error", "warning", "info" (CSS class)
    severity_label: str
    message: str
    code: str


@dataclass(frozen=True)
class SignatureView:
    id: str
    heading: str
    verdict: str
    tone: Tone
    code: str
    rows: tuple[Row, ...]
    findings: tuple[FindingView, ...]


@dataclass(frozen=True)
class PictureView:
    page_number: int
    src: str
    alt: str
    width: int
    height: int
    caption: str


@dataclass(frozen=True)
class RuleRow:
    rule_id: str
    signature_id: str
    level: str
    status: str
    #: "passed", "failed", "indeterminate", "na" (CSS class)
    status_class: str
    message: str
    citation: str


@dataclass(frozen=True)
class PolicyView:
    """The policy part of a validation (built by :mod:`vbsign.policy.human`)."""

    title: str
    name: str
    status: str
    tone: Tone
    #: rules not met, undetermined, warnings and information, with their citations
    rows: tuple[RuleRow, ...]
    notes: tuple[str, ...] = ()
    #: rules passed, one entry per rule: ``"VER-01 (S1, S2)"``
    passed: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportView:
    lang: Lang
    labels: dict[str, str]
    document_name: str
    document_rows: tuple[Row, ...]
    verdict: str
    verdict_code: str
    tone: Tone
    explanation: str
    reasons: tuple[str, ...]
    document_findings: tuple[FindingView, ...]
    signatures: tuple[SignatureView, ...]
    pictures: tuple[PictureView, ...]
    attachments: tuple[Row, ...]
    policy: PolicyView | None
    footer: tuple[Row, ...]
    extra: dict[str, str] = field(default_factory=dict)


def _finding(f: Finding, lang: Lang) -> FindingView:
    sev = _MARK[f.severity]
    return FindingView(sev, LABELS[sev].get(lang), f.message(lang), f.code)


def _t(key: str, lang: Lang) -> str:
    return (_L[key] if key in _L else LABELS[key]).get(lang)


def _certificate_rows(sig: SignatureReport, lang: Lang) -> list[Row]:
    s = sig.signer
    if s is None:
        return []
    rows = [Row(_t("tsa" if sig.kind == "document-timestamp" else "signer", lang), _name(s))]
    if sig.kind == "signature":
        rows.append(Row(_t("org", lang), _org(s)))
        rows.append(Row(_t("title", lang), s.subject_fields.get("title") or "—"))
    rows.append(Row(_t("issuer", lang), s.issuer_common_name or s.issuer))
    rows.append(Row(_t("serial", lang), s.serial_number))
    rows.append(Row(_t("cert_validity", lang), f"{vn_time(s.not_before)} → {vn_time(s.not_after)}"))
    return rows


def _time_rows(sig: SignatureReport, lang: Lang) -> list[Row]:
    rows: list[Row] = []
    if sig.signing_time is not None:
        proof = {"timestamp": "proof_ts", "claimed": "proof_claimed"}.get(sig.signing_time_source)
        tone = "ok" if sig.signing_time_source == "timestamp" else "warn"
        text = vn_time(sig.signing_time) + (f" ({_t(proof, lang)})" if proof else "")
        rows.append(Row(_t("signing_time", lang), text, tone))
    if sig.timestamp is not None and sig.kind == "signature" and sig.timestamp.tsa is not None:
        rows.append(Row(_t("tsa", lang), _name(sig.timestamp.tsa)))
    return rows


def _state_rows(sig: SignatureReport, lang: Lang, family: str) -> list[Row]:
    rows: list[Row] = []
    if sig.integrity is not None:
        state = sig.integrity.state
        rows.append(Row(_t("integrity", lang), _t(state, lang), "ok" if state == "intact" else "bad"))
    if sig.kind == "signature":
        if sig.trusted and sig.indication is Indication.TOTAL_PASSED:
            rows.append(Row(_t("valid_at_signing", lang), _t("yes", lang), "ok"))
        elif sig.indication is Indication.TOTAL_FAILED:
            rows.append(Row(_t("valid_at_signing", lang), _t("no", lang), "bad"))
        else:
            rows.append(Row(_t("valid_at_signing", lang), _t("undetermined", lang), "warn"))
    if sig.level:
        rows.append(Row(_t("level", lang), f"{family} {sig.level}"))
    if sig.modification is not None and sig.modification.level:
        bad = sig.modification.level == "OTHER" or sig.modification.docmdp_ok is False
        rows.append(Row(_t("changes", lang), _changes_line(sig, lang), "bad" if bad else ""))
    if sig.revocation is not None:
        r = sig.revocation
        text = _REVO[r.status].get(lang) + (f" ({vn_time(r.revocation_time)})" if r.revocation_time else "")
        tone = {"good": "ok", "revoked": "bad"}.get(r.status, "warn")
        rows.append(Row(_t("revocation", lang), f"{text}; {_SOURCE[r.source].get(lang)}", tone))
    return rows


def _other_rows(sig: SignatureReport, lang: Lang, family: str) -> list[Row]:
    rows: list[Row] = []
    if sig.field_name:
        rows.append(Row(_t("field", lang), sig.field_name))
    app = sig.appearance
    if app is not None and family == "PAdES":
        where = f"{_t('page', lang)} {app.page + 1}" if app.visible and app.page is not None else _t("invisible", lang)
        rows.append(Row(_t("on_page", lang), where))
    if sig.reason:
        rows.append(Row(_t("reason", lang), sig.reason))
    if sig.location:
        rows.append(Row(_t("location", lang), sig.location))
    if sig.signed_scope and family != "PAdES":
        rows.extend(Row(_t("scope", lang), scope) for scope in sig.signed_scope)
    return rows


def signature_view(sig: SignatureReport, lang: Lang, family: str = "PAdES") -> SignatureView:
    head = _t("doc_ts" if sig.kind == "document-timestamp" else "signature", lang)
    sub = f" / {sig.sub_indication.value}" if sig.sub_indication else ""
    rows = (
        _certificate_rows(sig, lang)
        + _time_rows(sig, lang)
        + _state_rows(sig, lang, family)
        + _other_rows(sig, lang, family)
    )
    return SignatureView(
        id=sig.id,
        heading=f"{head} {sig.id}",
        verdict=INDICATION_TEXT[sig.indication].get(lang),
        tone=TONE[sig.indication],
        code=f"{sig.indication.value}{sub}",
        rows=tuple(rows),
        findings=tuple(_finding(f, lang) for f in sig.findings),
    )


def reasons(report: Report, lang: Lang) -> tuple[str, ...]:
    """Why the document is not valid: the errors of the document and of every signature that
    did not pass (warnings when there is no error, e.g. an untrusted root)."""
    if report.indication is Indication.TOTAL_PASSED:
        return ()
    failing = [s for s in report.signatures if s.indication is not Indication.TOTAL_PASSED]
    found = [*report.findings, *(f for s in failing for f in s.findings)]
    for severity in (Severity.ERROR, Severity.WARNING):
        picked = [f.message(lang) for f in found if f.severity is severity]
        if picked:
            return tuple(dict.fromkeys(picked))
    return ()


def _picture_view(pic: PagePicture, report: Report, lang: Lang) -> PictureView:
    names = {s.id: _name(s.signer) for s in report.signatures}
    listed = ", ".join(f"{b.signature_id} ({names.get(b.signature_id, '—')})" for b in pic.boxes)
    if pic.boxes:
        caption = LABELS["picture_alt"].format(p=pic.page + 1, s=listed).get(lang)
    else:
        caption = LABELS["picture_first"].get(lang)
    return PictureView(pic.page + 1, pic.data_uri(), caption, pic.width, pic.height, caption)


def _document_rows(report: Report, lang: Lang) -> list[Row]:
    doc = report.document
    rows = [
        Row(_t("sha256", lang), doc.sha256),
        Row(_t("size", lang), f"{doc.size:,} {_t('bytes', lang)}".replace(",", "." if lang == "vi" else ",")),
        Row(_t("format", lang), _FORMAT_NAME.get(doc.format, doc.format)),
    ]
    if doc.pages:
        rows.append(Row(_t("pages", lang), str(doc.pages)))
    return rows


def _footer(report: Report, lang: Lang) -> list[Row]:
    mode = _t("mode_now" if report.validation_time_mode == "now" else "mode_signing", lang)
    anchors = str(len(report.trust_anchors)) if report.trust_anchors else _t("none_configured", lang)
    return [
        Row(_t("validation_time", lang), vn_time(report.validation_time or report.generated_at)),
        Row(_t("validation_mode", lang), mode),
        Row(_t("trust", lang), anchors),
        Row(_t("software", lang), f"vbsign {report.vbsign_version or __version__}"),
    ]


def build_view(
    report: Report,
    lang: Lang,
    *,
    pictures: Sequence[PagePicture] = (),
    policy: PolicyView | None = None,
) -> ReportView:
    """The view of ``report`` in ``lang``; ``policy`` (a validation) decides the headline."""
    family = _FAMILY.get(report.document.format, "PAdES")
    verdict, tone, code = (
        INDICATION_TEXT[report.indication].get(lang),
        TONE[report.indication],
        report.indication.value + (f" / {report.sub_indication.value}" if report.sub_indication else ""),
    )
    attachments = tuple(
        Row(a.name, f"{INDICATION_TEXT[a.indication].get(lang)} ({a.indication.value})") for a in report.attachments
    )
    return ReportView(
        lang=lang,
        labels={k: m.get(lang) for k, m in {**LABELS, **_L}.items()},
        document_name=report.document.name,
        document_rows=tuple(_document_rows(report, lang)),
        verdict=verdict,
        verdict_code=code,
        tone=tone,
        explanation=EXPLANATION[report.indication].get(lang),
        reasons=reasons(report, lang),
        document_findings=tuple(_finding(f, lang) for f in report.findings),
        signatures=tuple(signature_view(s, lang, family) for s in report.signatures),
        pictures=tuple(_picture_view(p, report, lang) for p in pictures),
        attachments=attachments,
        policy=policy,
        footer=tuple(_footer(report, lang)),
    )


__all__ = [
    "EXPLANATION",
    "LABELS",
    "TONE",
    "FindingView",
    "PagePicture",
    "PictureBox",
    "PictureView",
    "PolicyView",
    "ReportView",
    "Row",
    "RuleRow",
    "SignatureView",
    "Tone",
    "build_view",
    "reasons",
    "signature_view",
]
