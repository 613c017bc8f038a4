"""The policy part of the human report: a :class:`~vbsign.policy.result.ComplianceReport`
as a :class:`~vbsign.model.report_view.PolicyView` (rule id, level, outcome, message and the
legal citation of every rule that was checked), and the whole validation as HTML or PDF
(:meth:`ComplianceReport.to_html` / :meth:`~ComplianceReport.to_pdf`).

Rules are listed by weight with their citations: mandatory failures, mandatory undetermined,
warnings, information; passed rules are named in one line (with the signatures they were
checked on), rules that do not apply are counted in a note.
"""

from __future__ import annotations

from collections.abc import Sequence

from vbsign._core.i18n import Lang, Msg, current_lang
from vbsign.model.report_html import render_html, render_pdf
from vbsign.model.report_view import PagePicture, PolicyView, RuleRow, Tone
from vbsign.policy.model import STATUS_TEXT, Level, RuleStatus
from vbsign.policy.result_types import STATUS_TEXT as COMPLIANCE_TEXT
from vbsign.policy.result_types import ComplianceReport, ComplianceStatus, RuleResult

_TONE: dict[ComplianceStatus, Tone] = {
    ComplianceStatus.COMPLIANT: "valid",
    ComplianceStatus.NON_COMPLIANT: "invalid",
    ComplianceStatus.UNDETERMINED: "indeterminate",
}
_CLASS = {
    RuleStatus.PASSED: "passed",
    RuleStatus.FAILED: "failed",
    RuleStatus.INDETERMINATE: "indeterminate",
    RuleStatus.NOT_APPLICABLE: "na",
}
_NOT_APPLICABLE = Msg("{n} quy tắc không áp dụng cho văn bản này; {i} quy tắc bị chính sách bỏ qua.",
                      "{n} rules do not apply to this document; {i} rules are ignored by the policy.")


def _weight(r: RuleResult) -> int:
    if r.blocking:
        return 0 if r.status is RuleStatus.FAILED else 1
    if r.status in (RuleStatus.FAILED, RuleStatus.INDETERMINATE):
        return 2 if r.effective_level is Level.WARN else 3
    return 4


def policy_view(rep: ComplianceReport, lang: Lang | None = None) -> PolicyView:
    """The policy outcome of ``rep`` in ``lang``."""
    lang = lang or current_lang()
    listed = sorted((r for r in rep.results if r.status not in (RuleStatus.NOT_APPLICABLE, RuleStatus.PASSED)), key=_weight)
    passed: dict[str, list[str]] = {}
    for r in rep.results:
        if r.status is RuleStatus.PASSED:
            passed.setdefault(r.rule_id, []).append(r.signature_id or "")
    rows = tuple(
        RuleRow(
            rule_id=r.rule_id,
            signature_id=r.signature_id or "—",
            level=r.effective_level.label(lang),
            status=STATUS_TEXT[r.status].get(lang),
            status_class=_CLASS[r.status],
            message=r.message(lang),
            citation=r.citation(lang),
        )
        for r in listed
    )
    skipped = sum(r.status is RuleStatus.NOT_APPLICABLE for r in rep.results)
    notes = [n.message(lang) for n in rep.notes]
    notes.append(_NOT_APPLICABLE.format(n=skipped, i=len(rep.ignored_rules)).get(lang))
    return PolicyView(
        title=rep.policy_title_en if lang == "en" else rep.policy_title_vi,
        name=rep.policy,
        status=COMPLIANCE_TEXT[rep.status].get(lang),
        tone=_TONE[rep.status],
        rows=rows,
        notes=tuple(notes),
        passed=tuple(
            f"{rule} ({', '.join(s for s in sigs if s)})" if any(sigs) else rule for rule, sigs in passed.items()
        ),
    )


def compliance_html(rep: ComplianceReport, lang: Lang | None = None, *, pictures: Sequence[PagePicture] = ()) -> str:
    """The verification report of ``rep`` with its policy section, as HTML."""
    lang = lang or current_lang()
    return render_html(rep.verification, lang, pictures=pictures, policy=policy_view(rep, lang))


def compliance_pdf(rep: ComplianceReport, lang: Lang | None = None, *, pictures: Sequence[PagePicture] = ()) -> bytes:
    """The same as an A4 PDF."""
    lang = lang or current_lang()
    return render_pdf(rep.verification, lang, pictures=pictures, policy=policy_view(rep, lang))


__all__ = ["compliance_html", "compliance_pdf", "policy_view"]
