"""Renderings of a :class:`~vbsign.report.Report`: plain text (Vietnamese or English).

The text rendering shows at least what Circular 15/2025 Art. 6 cl. 4 requires a
verification tool to display: the verdict in Vietnamese; the issuing CA; the signer; the
unit managing the certificate; the signing time or timestamp; integrity; validity at the
signing time; and the certificate's validity period.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from vbsign._core.files import printable
from vbsign._core.i18n import Lang, Msg, current_lang
from vbsign._core.timefmt import format_vn_time
from vbsign.model.report_types import (
    INDICATION_TEXT,
    CertificateInfo,
    Indication,
    Report,
    RevocationInfo,
    Severity,
    SignatureReport,
)

_L = {
    "file": Msg("Tệp", "File"),
    "verdict": Msg("Kết luận", "Verdict"),
    "signature": Msg("Chữ ký", "Signature"),
    "doc_ts": Msg("Dấu thời gian tài liệu", "Document timestamp"),
    "signer": Msg("Người ký", "Signer"),
    "title": Msg("Chức vụ", "Title"),
    "org": Msg("Cơ quan/đơn vị", "Organisation/unit"),
    "issuer": Msg("Tổ chức cấp chứng thư", "Issuing CA"),
    "cert_validity": Msg("Thời hạn chứng thư", "Certificate validity"),
    "serial": Msg("Số hiệu chứng thư", "Certificate serial"),
    "signing_time": Msg("Thời điểm ký", "Signing time"),
    "proof_ts": Msg("theo dấu thời gian", "proven by timestamp"),
    "proof_claimed": Msg("do người ký khai báo, chưa được chứng minh", "claimed by the signer, unproven"),
    "integrity": Msg("Toàn vẹn", "Integrity"),
    "intact": Msg("nguyên vẹn", "intact"),
    "altered": Msg("BỊ THAY ĐỔI (giá trị băm không khớp)", "ALTERED (digest mismatch)"),
    "signature-invalid": Msg(
        "GIÁ TRỊ CHỮ KÝ SAI (không chứng minh được nội dung bị sửa)",
        "SIGNATURE VALUE DOES NOT VERIFY (no change to the content shown)",
    ),
    "not-checked": Msg("chưa kiểm tra được (thiếu dữ liệu hoặc khóa)", "not checked (data or key missing)"),
    "valid_at_signing": Msg("Hiệu lực chứng thư tại thời điểm ký", "Certificate valid at signing time"),
    "yes": Msg("có", "yes"),
    "no": Msg("không", "no"),
    "undetermined": Msg("chưa xác định được", "not established"),
    "revocation": Msg("Trạng thái thu hồi", "Revocation status"),
    "level": Msg("Mức chữ ký", "Signature level"),
    "changes": Msg("Thay đổi sau khi ký", "Changes after signing"),
    "tsa": Msg("Đơn vị cấp dấu thời gian", "Timestamp authority"),
    "field": Msg("Trường", "Field"),
    "reason": Msg("Lý do", "Reason"),
    "location": Msg("Địa điểm", "Location"),
    "findings": Msg("Ghi nhận", "Findings"),
    "validated_at": Msg("Kiểm tra tại thời điểm", "Validated at"),
    "scope": Msg("Phạm vi được ký", "Signed scope"),
    "attachment": Msg("Tệp đính kèm", "Attachment"),
    "mime_part": Msg("Phần thư", "Message part"),
    "mail_from": Msg("Người gửi (From)", "Sender (From)"),
    "mail_subject": Msg("Tiêu đề", "Subject"),
    "mail_layers": Msg("Cấu trúc S/MIME", "S/MIME structure"),
    "mode_signing": Msg("thời điểm ký", "signing time"),
    "mode_now": Msg("hiện tại", "now"),
}

_REVO = {
    "good": Msg("chưa bị thu hồi", "not revoked"),
    "revoked": Msg("ĐÃ BỊ THU HỒI", "REVOKED"),
    "unknown": Msg("không rõ", "unknown"),
    "unavailable": Msg("không có dữ liệu OCSP/CRL", "no OCSP/CRL data"),
    "not-checked": Msg("không kiểm tra", "not checked"),
}
_SOURCE = {
    "embedded": Msg("dữ liệu nhúng trong tệp", "embedded in the file"),
    "online": Msg("tra cứu trực tuyến", "fetched online"),
    "embedded+online": Msg("nhúng + trực tuyến", "embedded + online"),
    "none": Msg("—", "—"),
}
_MOD = {
    "NONE": Msg("không có", "none"),
    "LTA_UPDATES": Msg("chỉ bổ sung dữ liệu kiểm tra/dấu thời gian", "validation data / timestamps only"),
    "FORM_FILLING": Msg("điền biểu mẫu, thêm chữ ký", "form filling, further signatures"),
    "ANNOTATIONS": Msg("thêm ghi chú", "annotations added"),
    "OTHER": Msg("THAY ĐỔI KHÔNG ĐƯỢC PHÉP", "DISALLOWED CHANGES"),
}


#: findings that name *what* changed after a signature, with a short label
_CHANGE_CODES = {
    "SIGNATURE_FIELD_ADDED": Msg("thêm trường chữ ký", "signature field added"),
    "FORM_FIELD_FILLED": Msg("điền trường trống", "empty field filled"),
    "FORM_FIELD_CHANGED": Msg("đổi giá trị trường", "field value changed"),
    "FORM_FIELD_OVERWRITTEN": Msg("ghi đè trường đã có giá trị", "filled field overwritten"),
    "COMMENTS_ALLOWED": Msg("thêm ghi chú", "comments added"),
    "ANNOTATION_ADDED": Msg("thêm chú thích", "annotation added"),
    "ANNOTATION_CHANGED": Msg("sửa/xoá chú thích", "annotation changed"),
    "PAGE_CONTENT_CHANGED": Msg("sửa nội dung trang", "page content changed"),
    "PAGE_TREE_CHANGED": Msg("sửa danh sách trang", "page list changed"),
    "FONT_CHANGED": Msg("đổi phông chữ", "font changed"),
    "RESOURCES_CHANGED": Msg("đổi tài nguyên trang", "page resources changed"),
    "CATALOG_CHANGED": Msg("sửa danh mục tài liệu", "catalog changed"),
    "OBJECT_FREED": Msg("xoá đối tượng đã ký", "signed object freed"),
    "SIGNATURE_WIDGET_COVERS_CONTENT": Msg("chữ ký mới che nội dung", "new signature covers content"),
    "SIGNATURE_OVERLAPS_CONTENT": Msg("chữ ký mới chờm lên nội dung", "new signature overlaps content"),
}


def _changes_line(sig: Any, lang: Lang) -> str:
    """What changed after the signature and whether its permission level allows it."""
    mod = sig.modification
    level = _MOD.get(mod.level, Msg(mod.level, mod.level)).get(lang)
    what = [m.get(lang) for code, m in _CHANGE_CODES.items() if sig.has_finding(code)]
    if mod.certified and mod.docmdp_permission:
        scope = Msg(f"chữ ký chứng thực DocMDP P{mod.docmdp_permission}", f"certification DocMDP P{mod.docmdp_permission}")
    else:
        scope = Msg("chữ ký phê duyệt", "approval signature")
    refused = mod.level == "OTHER" or mod.docmdp_ok is False or sig.has_finding("MODIFIED_AFTER_SIGNING")
    verdict = Msg("KHÔNG được phép", "NOT allowed") if refused else Msg("được phép", "allowed")
    if mod.level == "NONE" and not what:
        return level
    detail = f" — {', '.join(what)}" if what else ""
    return f"{level}{detail} ({verdict.get(lang)}: {scope.get(lang)})"


def _t(key: str, lang: Lang) -> str:
    return _L[key].get(lang)


def _dt(value: datetime | None) -> str:
    return format_vn_time(value) if value is not None else "—"


def _name(ci: CertificateInfo | None) -> str:
    if ci is None:
        return "—"
    return ci.common_name or ci.subject


def _org(ci: CertificateInfo) -> str:
    parts = [ci.subject_fields.get("organizational_unit_name"), ci.subject_fields.get("organization_name")]
    return ", ".join(p for p in parts if p) or "—"


#: signature family shown with the level, by document format
_FAMILY = {"pdf": "PAdES", "xml": "XAdES", "cms": "CAdES", "mail": "S/MIME (CAdES)"}


def _signer_rows(sig: SignatureReport, s: CertificateInfo, row: Callable[[str, str], None]) -> None:
    """Who signed (the TSA of a document timestamp): name, title and organisation, issuer,
    serial, validity."""
    row("tsa" if sig.kind == "document-timestamp" else "signer", _name(s))
    if sig.kind == "signature":
        if s.subject_fields.get("title"):
            row("title", s.subject_fields["title"])
        row("org", _org(s))
    row("issuer", s.issuer_common_name or s.issuer)
    row("serial", s.serial_number)
    row("cert_validity", f"{_dt(s.not_before)} → {_dt(s.not_after)}")


def _proof(sig: SignatureReport, lang: Lang) -> str:
    """What proves the signing time: a timestamp, the signer's claim, or nothing."""
    if sig.signing_time_source == "timestamp":
        return _t("proof_ts", lang)
    if sig.signing_time_source == "claimed":
        return _t("proof_claimed", lang)
    return "—"


def _valid_at_signing(sig: SignatureReport, lang: Lang) -> str:
    """Yes only for a trusted, passed signature; no for a failed one; else undetermined
    (missing revocation data, no trust anchor, unproven time...)."""
    if sig.trusted and sig.indication is Indication.TOTAL_PASSED:
        return _t("yes", lang)
    if sig.indication is Indication.TOTAL_FAILED:
        return _t("no", lang)
    return _t("undetermined", lang)


def _revocation_text(r: RevocationInfo, lang: Lang) -> str:
    text = _REVO[r.status].get(lang)
    if r.revocation_time:
        text += f" ({_dt(r.revocation_time)})"
    return f"{text}; {_SOURCE[r.source].get(lang)}"


def render_signature(sig: SignatureReport, lang: Lang, family: str = "PAdES") -> list[str]:
    head = _t("doc_ts" if sig.kind == "document-timestamp" else "signature", lang)
    verdict = INDICATION_TEXT[sig.indication].get(lang)
    sub = f" / {sig.sub_indication.value}" if sig.sub_indication else ""
    lines = [f"  [{sig.id}] {head}: {verdict} ({sig.indication.value}{sub})"]

    def row(label: str, value: str) -> None:
        lines.append(f"      {_t(label, lang)}: {value}")

    if sig.field_name:
        row("field", sig.field_name)
    if sig.signer is not None:
        _signer_rows(sig, sig.signer, row)
    if sig.signing_time is not None:
        row("signing_time", f"{_dt(sig.signing_time)} ({_proof(sig, lang)})")
    if sig.timestamp is not None and sig.kind == "signature" and sig.timestamp.tsa is not None:
        row("tsa", _name(sig.timestamp.tsa))
    if sig.integrity is not None:
        row("integrity", _t(sig.integrity.state, lang))
    if sig.kind == "signature":
        row("valid_at_signing", _valid_at_signing(sig, lang))
    if sig.revocation is not None:
        row("revocation", _revocation_text(sig.revocation, lang))
    if sig.modification is not None and sig.modification.level:
        row("changes", _changes_line(sig, lang))
    if sig.level:
        row("level", f"{family} {sig.level}")
    if sig.reason:
        row("reason", sig.reason)
    if sig.location:
        row("location", sig.location)
    if sig.signed_scope and family != "PAdES":  # a PDF signature covers its revision
        for scope in sig.signed_scope:
            row("scope", scope)
    lines.extend(_finding_lines(sig, lang))
    return lines


def _finding_lines(sig: SignatureReport, lang: Lang) -> list[str]:
    marks = {"error": "✗", "warning": "!", "info": "i"}
    return [f"      {marks[f.severity.value]} {f.message(lang)} [{f.code}]" for f in sig.findings]


def render_text(report: Report, lang: Lang | None = None) -> str:
    lang = lang or current_lang()
    verdict = INDICATION_TEXT[report.indication].get(lang)
    mode = _t("mode_now" if report.validation_time_mode == "now" else "mode_signing", lang)
    lines = [
        f"{_t('file', lang)}: {report.document.name}",
        f"{_t('verdict', lang)}: {verdict} ({report.indication.value}"
        + (f" / {report.sub_indication.value}" if report.sub_indication else "")
        + ")",
        f"{_t('validated_at', lang)}: {mode}",
    ]
    if report.mail is not None:
        m = report.mail
        lines.append(f"{_t('mail_from', lang)}: {', '.join(m.from_addresses) or '—'}")
        lines.append(f"{_t('mail_subject', lang)}: {m.subject if m.subject is not None else '—'}")
        lines.append(f"{_t('mail_layers', lang)}: {' → '.join(m.layers) or '—'}")
    for f in report.findings:
        mark = "✗" if f.severity is Severity.ERROR else "!" if f.severity is Severity.WARNING else "i"
        lines.append(f"  {mark} {f.message(lang)} [{f.code}]")
    for sig in report.signatures:
        lines += render_signature(sig, lang, _FAMILY.get(report.document.format, "PAdES"))
    for att in report.attachments:
        a_verdict = INDICATION_TEXT[att.indication].get(lang)
        label = _t("mime_part" if report.mail is not None else "attachment", lang)
        lines.append(f"  [{label}] {att.name}: {a_verdict} ({att.indication.value})")
        for f in att.findings:
            mark = "✗" if f.severity is Severity.ERROR else "!" if f.severity is Severity.WARNING else "i"
            lines.append(f"      {mark} {f.message(lang)} [{f.code}]")
        if att.report is not None:
            for sig in att.report.signatures:
                lines += [
                    "    " + line
                    for line in render_signature(sig, lang, _FAMILY.get(att.report.document.format, "PAdES"))
                ]
    # file names, field names, reasons and certificate names come from outside: each line
    # stays one line (a name with a line break cannot print a forged "Verdict: ..." line)
    return "\n".join(printable(line) for line in lines)
