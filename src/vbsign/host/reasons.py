"""Turning verification reports and errors into decision reasons a clerk can act on."""

from __future__ import annotations

from vbsign._core.errors import CertificateRejected, VbsignError
from vbsign._core.i18n import Msg
from vbsign.model.report import INDICATION_TEXT, Finding, Indication, Report, Severity

#: Decree 30/2020 Art. 21 cl. 2: the clerk checks authenticity and integrity, and returns a
#: non-compliant electronic document to its sender through the system
BASIS_RETURN = "NĐ 30/2020/NĐ-CP Điều 21 khoản 2"


def report_reasons(report: Report, *, prefix: Msg | None = None) -> list[Finding]:
    """The errors and warnings behind a report's verdict, each naming its signature.

    Only signatures that did not pass contribute (plus document-level findings), so the
    list explains the verdict rather than repeating every observation.
    """
    out: list[Finding] = []
    head_vi = f"{prefix.vi}: " if prefix else ""
    head_en = f"{prefix.en}: " if prefix else ""
    for f in report.findings:
        if f.severity is not Severity.INFO:
            out.append(Finding(f.code, f.severity, head_vi + f.message_vi, head_en + f.message_en, dict(f.details)))
    for sig in report.signatures:
        if sig.indication is Indication.TOTAL_PASSED:
            continue
        who = (sig.signer.common_name if sig.signer else None) or sig.field_name or sig.id
        kind_vi = "Dấu thời gian" if sig.kind == "document-timestamp" else "Chữ ký"
        kind_en = "Timestamp" if sig.kind == "document-timestamp" else "Signature"
        label_vi = f"{head_vi}{kind_vi} {sig.id} ({who})"
        label_en = f"{head_en}{kind_en} {sig.id} ({who})"
        details = {"signature": sig.id, "indication": sig.indication.value,
                   "sub_indication": sig.sub_indication.value if sig.sub_indication else None}
        relevant = [f for f in sig.findings if f.severity is not Severity.INFO]
        for f in relevant:
            out.append(
                Finding(f.code, f.severity, f"{label_vi}: {f.message_vi}", f"{label_en}: {f.message_en}",
                        {**f.details, **details})
            )
        if not relevant:
            verdict = INDICATION_TEXT[sig.indication]
            sub = f" ({sig.sub_indication.value})" if sig.sub_indication else ""
            out.append(
                Finding(
                    sig.sub_indication.value if sig.sub_indication else sig.indication.value,
                    Severity.ERROR if sig.indication is Indication.TOTAL_FAILED else Severity.WARNING,
                    f"{label_vi}: {verdict.vi}{sub}",
                    f"{label_en}: {verdict.en}{sub}",
                    details,
                )
            )
    return out


def error_reasons(e: VbsignError, *, prefix: Msg | None = None) -> list[Finding]:
    """A refused operation as reasons (with the individual reasons of a certificate refusal)."""
    head_vi = f"{prefix.vi}: " if prefix else ""
    head_en = f"{prefix.en}: " if prefix else ""
    out = [Finding(e.code, Severity.ERROR, head_vi + e.msg.vi, head_en + e.msg.en, dict(e.details))]
    if isinstance(e, CertificateRejected):
        for r in e.reasons:
            out.append(Finding(e.code, Severity.ERROR, head_vi + r.vi, head_en + r.en, {}))
    return out
