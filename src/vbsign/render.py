"""Renderings of a :class:`~vbsign.report.Report`: plain text (Vietnamese or English).

The text rendering shows at least what Circular 15/2025 Art. 6 cl. 4 requires a
verification tool to display: the verdict in Vietnamese; the issuing CA; the signer; the
unit managing the certificate; the signing time or timestamp; integrity; validity at the
signing time; and the certificate's validity period.
"""

from __future__ import annotations

from datetime import datetime

from ._io import printable
from .i18n import Lang, Msg, current_lang
from .report import INDICATION_TEXT, CertificateInfo, Indication, Report, Severity, SignatureReport
from .validation import format_vn_time

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
    "altered": Msg("BỊ THAY ĐỔI", "ALTERED"),
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
_FAMILY = {"pdf": "PAdES", "xml": "XAdES", "cms": "CAdES"}


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
        s = sig.signer
        row("tsa" if sig.kind == "document-timestamp" else "signer", _name(s))
        if sig.kind == "signature":
            if s.subject_fields.get("title"):
                row("title", s.subject_fields["title"])
            row("org", _org(s))
        row("issuer", s.issuer_common_name or s.issuer)
        row("serial", s.serial_number)
        row("cert_validity", f"{_dt(s.not_before)} → {_dt(s.not_after)}")
    if sig.signing_time is not None:
        proof = (
            _t("proof_ts", lang)
            if sig.signing_time_source == "timestamp"
            else _t("proof_claimed", lang)
            if sig.signing_time_source == "claimed"
            else "—"
        )
        row("signing_time", f"{_dt(sig.signing_time)} ({proof})")
    if sig.timestamp is not None and sig.kind == "signature" and sig.timestamp.tsa is not None:
        row("tsa", _name(sig.timestamp.tsa))
    if sig.integrity is not None:
        ok = sig.integrity.intact and sig.integrity.signature_valid
        row("integrity", _t("intact", lang) if ok else _t("altered", lang))
    if sig.kind == "signature":
        if sig.trusted and sig.indication is Indication.TOTAL_PASSED:
            answer = _t("yes", lang)
        elif sig.indication is Indication.TOTAL_FAILED:
            answer = _t("no", lang)
        else:  # not established (missing revocation data, no trust anchor, unproven time...)
            answer = _t("undetermined", lang)
        row("valid_at_signing", answer)
    if sig.revocation is not None:
        r = sig.revocation
        text = _REVO[r.status].get(lang)
        if r.revocation_time:
            text += f" ({_dt(r.revocation_time)})"
        row("revocation", f"{text}; {_SOURCE[r.source].get(lang)}")
    if sig.modification is not None and sig.modification.level:
        row("changes", _MOD.get(sig.modification.level, Msg(sig.modification.level, sig.modification.level)).get(lang))
    if sig.level:
        row("level", f"{family} {sig.level}")
    if sig.reason:
        row("reason", sig.reason)
    if sig.location:
        row("location", sig.location)
    if sig.signed_scope and family != "PAdES":
        for scope in sig.signed_scope:
            row("scope", scope)
    for f in sig.findings:
        mark = {"error": "✗", "warning": "!", "info": "i"}[f.severity.value]
        lines.append(f"      {mark} {f.message(lang)} [{f.code}]")
    return lines


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
    for f in report.findings:
        mark = "✗" if f.severity is Severity.ERROR else "!" if f.severity is Severity.WARNING else "i"
        lines.append(f"  {mark} {f.message(lang)} [{f.code}]")
    for sig in report.signatures:
        lines += render_signature(sig, lang, _FAMILY.get(report.document.format, "PAdES"))
    for att in report.attachments:
        a_verdict = INDICATION_TEXT[att.indication].get(lang)
        lines.append(f"  [{_t('attachment', lang)}] {att.name}: {a_verdict} ({att.indication.value})")
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
