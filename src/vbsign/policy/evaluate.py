"""Apply a policy to a verification report: the pure core of ``vbsign validate``.

The verdict (an auditor's reading):

* every rule the policy does not IGNORE is checked, per signature or for the document;
* **compliance status**: NOT COMPLIANT if verification failed (TOTAL-FAILED, no signature)
  or a FAIL-level rule failed; UNDETERMINED if verification is INDETERMINATE or a FAIL-level
  rule could not be decided; COMPLIANT otherwise. WARN-level results are warnings, INFORM
  results information — neither changes the status;
* **ETSI indication**: the worse of verification's and the failed FAIL-level rules'
  (a policy constraint not met is INDETERMINATE with a ``*_CONSTRAINTS_FAILURE``
  sub-indication, as in ETSI EN 319 102-1; cryptographic/structural failures are
  TOTAL-FAILED). A policy can add requirements; it can never turn an invalid or
  indeterminate signature into a valid one;
* a rule whose check raises (e.g. a faulty plugin rule) yields INDETERMINATE /
  POLICY_PROCESSING_ERROR for that rule — validation fails closed, it does not crash.
"""

from __future__ import annotations

import logging
from typing import Any

from vbsign._core.i18n import Msg
from vbsign.model.report import (
    Finding,
    Indication,
    Report,
    Severity,
    SubIndication,
    worst_indication,
)
from vbsign.policy.context import DocumentContext, Evidence, cert_name
from vbsign.policy.facts import DocumentFacts
from vbsign.policy.loading import load_policy
from vbsign.policy.model import (
    DIRECTION_TEXT,
    Level,
    Outcome,
    Rule,
    RuleStatus,
    indeterminate,
    min_level,
)
from vbsign.policy.policy import Policy
from vbsign.policy.result import ComplianceReport, ComplianceStatus, RuleResult, SignerSummary

logger = logging.getLogger(__name__)


def evaluate(
    report: Report,
    policy: Policy | str | None = None,
    facts: DocumentFacts | None = None,
) -> ComplianceReport:
    """Judge ``report`` against ``policy`` (a :class:`Policy`, a profile name or a policy
    file path; default ``tt41``) with the caller's ``facts``. Pure: no I/O except reading a
    policy file named by path."""
    pol = policy if isinstance(policy, Policy) else load_policy(policy)
    chosen, selection_note = pol.select(report, facts)
    merged = (facts or DocumentFacts()).with_defaults(chosen.expectations)
    doc = DocumentContext(report, merged, chosen)
    # the verification verdict as it stands now: rules (plugins included) see the report
    # object, and nothing they do to it may lift the verdict
    verified = (report.indication, report.sub_indication)
    results: list[RuleResult] = []
    ignored: list[str] = []
    sigs = doc.signatures
    for rule in chosen.rules:
        level = chosen.level(rule.id)
        if level is Level.IGNORE:
            ignored.append(rule.id)
            continue
        targets = sigs if rule.scope == "signature" else [None]
        other_party = not rule.applies_to(merged.direction)
        for sig in targets:
            outcome = _run(rule, Evidence(doc, sig))
            results.append(_result(rule, level, outcome, sig.id if sig is not None else None, other_party))

    notes: list[Finding] = []
    if selection_note is not None:
        notes.append(Finding.of("POLICY_AUTO_SELECTION", Severity.INFO, selection_note))
    notes += _profile_date_notes(chosen, report)
    signers = [_signer_summary(doc, s) for s in sigs]
    for s in signers:
        if s.signer_class == "unknown":
            notes.append(
                Finding.of(
                    "SIGNER_CLASS_UNKNOWN",
                    Severity.INFO,
                    Msg(
                        f"[{s.signature_id}] Chưa xác định được {s.name} là cá nhân hay cơ quan: {s.classification_vi}.",
                        f"[{s.signature_id}] Cannot tell whether {s.name} is a person or an organisation: {s.classification_en}.",
                    ),
                )
            )
    status, indication, sub = _verdict(verified, results)
    return ComplianceReport(
        policy=pol.name,
        profile=chosen.profile.name,
        policy_title_vi=chosen.title.vi if pol is chosen else pol.title.vi + " → " + chosen.title.vi,
        policy_title_en=chosen.title.en if pol is chosen else pol.title.en + " → " + chosen.title.en,
        policy_source=pol.source,
        status=status,
        indication=indication,
        sub_indication=sub,
        verification=report,
        results=results,
        signers=signers,
        ignored_rules=ignored,
        notes=notes,
        facts=_facts_dict(merged),
    )


def _own_copy(ev: Evidence) -> tuple[Evidence, dict[str, Any]]:
    """The evidence on a private copy of the report (for a rule from outside vbsign)."""
    snapshot = ev.doc.report.to_dict()
    doc = DocumentContext(Report.from_dict(snapshot), ev.doc.facts, ev.doc.policy)
    sig = None
    if ev.signature is not None:
        sig = next(s for s in doc.report.signatures if s.id == ev.signature.id)
    return Evidence(doc, sig), snapshot


def _run(rule: Rule, ev: Evidence) -> Outcome:
    # a rule from outside vbsign (an agency's, a plugin's) checks its own copy of the
    # report: what it changes there changes nothing, and its result says so (fails closed)
    foreign = not getattr(rule.check, "__module__", "").startswith("vbsign.")
    snapshot: dict[str, Any] | None = None
    if foreign:
        ev, snapshot = _own_copy(ev)
    try:
        outcome = rule.check(ev)
        if snapshot is not None and ev.doc.report.to_dict() != snapshot:
            logger.error("policy rule %s changed the verification report: ignored", rule.id)
            return indeterminate(
                Msg(
                    f"Quy tắc {rule.id} đã sửa báo cáo kiểm tra mà nó chỉ được đọc; thay đổi bị bỏ qua.",
                    f"Rule {rule.id} changed the verification report it may only read; the change was ignored.",
                ),
                sub_indication=SubIndication.POLICY_PROCESSING_ERROR,
                error="REPORT_CHANGED",
            )
        if not isinstance(outcome, Outcome):
            raise TypeError(f"check returned {type(outcome).__name__}, not Outcome")
        return outcome
    except Exception as e:  # a faulty (plugin) rule must not crash validation: fail closed
        logger.warning("policy rule %s raised", rule.id, exc_info=True)
        return indeterminate(
            Msg(f"Lỗi khi kiểm tra quy tắc: {e}", f"The rule's check failed: {e}"),
            sub_indication=SubIndication.POLICY_PROCESSING_ERROR,
            error=type(e).__name__,
        )


def _result(rule: Rule, level: Level, outcome: Outcome, sig_id: str | None, other_party: bool = False) -> RuleResult:
    eff = min_level(level, outcome.cap)
    message = outcome.message
    if other_party:
        # the other party's duty (the sender's timestamp on an incoming document…): reported,
        # never a reason to refuse the document
        eff = min_level(eff, Level.INFORM)
        if outcome.status in (RuleStatus.FAILED, RuleStatus.INDETERMINATE):
            who = DIRECTION_TEXT[rule.direction]
            message = Msg(f"[{who.vi}, chỉ để thông tin] {message.vi}", f"[{who.en}, for information only] {message.en}")
    indication: Indication | None = None
    sub: SubIndication | None = None
    if outcome.status is RuleStatus.FAILED:
        indication = outcome.indication or rule.indication
        sub = outcome.sub_indication or rule.sub_indication
    elif outcome.status is RuleStatus.INDETERMINATE:
        indication = Indication.INDETERMINATE
        sub = outcome.sub_indication or rule.sub_indication
    return RuleResult(
        rule_id=rule.id,
        level=level,
        effective_level=eff,
        status=outcome.status,
        message_vi=message.vi,
        message_en=message.en,
        citation_vi=rule.citation_text("vi"),
        citation_en=rule.citation_text("en"),
        requirement_vi=rule.requirement.vi,
        requirement_en=rule.requirement.en,
        phase=rule.phase,
        signature_id=sig_id,
        evidence=_jsonable(dict(outcome.evidence)),
        indication=indication,
        sub_indication=sub,
        direction=rule.direction,
        other_party=other_party,
    )


def _verdict(
    verified: tuple[Indication, SubIndication | None], results: list[RuleResult]
) -> tuple[ComplianceStatus, Indication, SubIndication | None]:
    blocking = [r for r in results if r.blocking]
    failed = [r for r in blocking if r.status is RuleStatus.FAILED]
    undecided = [r for r in blocking if r.status is RuleStatus.INDETERMINATE]
    v, verified_sub = verified
    if v in (Indication.TOTAL_FAILED, Indication.NO_SIGNATURE_FOUND) or failed:
        status = ComplianceStatus.NON_COMPLIANT
    elif v is Indication.INDETERMINATE or undecided:
        status = ComplianceStatus.UNDETERMINED
    else:
        status = ComplianceStatus.COMPLIANT
    candidates: list[tuple[Indication, SubIndication | None]] = [(v, verified_sub)]
    candidates += [(r.indication or Indication.INDETERMINATE, r.sub_indication) for r in failed + undecided]
    worst = worst_indication([c[0] for c in candidates]) if v is not Indication.NO_SIGNATURE_FOUND else v
    sub = next((s for i, s in candidates if i is worst), None)
    return status, worst, sub


def _profile_date_notes(policy: Policy, report: Report) -> list[Finding]:
    """Tell the user when a signature lies outside the chosen profile's effective dates."""
    p = policy.profile
    until = policy.settings.tt41_until if p.name == "tt41" else p.effective_until
    out: list[Finding] = []
    for s in report.signatures:
        if s.kind != "signature" or s.signing_time is None:
            continue
        day = s.signing_time.date()
        if until is not None and day >= until:
            reported = p.name == "tt41" and policy.settings.tt41_until_source == "reported"
            out.append(
                Finding.of(
                    "PROFILE_NOT_IN_FORCE",
                    Severity.INFO,
                    Msg(
                        f"[{s.id}] Chữ ký được tạo sau ngày hồ sơ '{p.name}' hết hiệu lực ({until:%d/%m/%Y}"
                        + (", theo thông tin được báo cáo, chưa xác nhận" if reported else "")
                        + "); cân nhắc hồ sơ 'auto'.",
                        f"[{s.id}] The signature was made after profile '{p.name}' ceased to apply ({until:%Y-%m-%d}"
                        + (", as reported, unconfirmed" if reported else "")
                        + "); consider the 'auto' profile.",
                    ),
                )
            )
        elif p.effective_from is not None and day < p.effective_from:
            out.append(
                Finding.of(
                    "PROFILE_NOT_YET_IN_FORCE",
                    Severity.INFO,
                    Msg(
                        f"[{s.id}] Chữ ký được tạo trước ngày hồ sơ '{p.name}' có hiệu lực ({p.effective_from:%d/%m/%Y}).",
                        f"[{s.id}] The signature was made before profile '{p.name}' took effect ({p.effective_from:%Y-%m-%d}).",
                    ),
                )
            )
    return out


def _signer_summary(doc: DocumentContext, sig: Any) -> SignerSummary:
    cls = doc.classification(sig)
    entry = doc.anchor(sig)
    return SignerSummary(
        signature_id=sig.id,
        name=cert_name(sig.signer) if sig.signer else None,
        signer_class=cls.kind,
        classification_vi=cls.explain("vi"),
        classification_en=cls.explain("en"),
        anchor=entry.name if entry else (cert_name(sig.chain[-1]) if sig.chain else None),
        anchor_hierarchy=entry.hierarchy if entry else None,
        anchor_official=entry.official if entry else None,
        signing_time=sig.signing_time,
        time_proven=sig.signing_time_source == "timestamp",
    )


def _facts_dict(f: DocumentFacts) -> dict[str, Any]:
    return {
        "direction": f.direction,
        "kind": f.effective_kind,
        "roles": list(f.roles) if f.roles is not None else None,
        "min_level": f.min_level,
        "signing_facts": len(f.signing),
        "bundle": f.bundle is not None,
    }


def _jsonable(value: Any) -> Any:
    """Evidence values as plain JSON types (rules should already return them)."""
    from datetime import datetime

    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Msg):
        return {"vi": value.vi, "en": value.en}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
