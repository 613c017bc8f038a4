"""The policy step of the host workflows: does a verified document comply with a policy?

A thin bridge to :mod:`vbsign.policy`. The workflows hand it the verification report and
the facts only the host knows (outgoing or incoming, main document or attachment, the
signatures vbsign just made, what the evidence bundle stores), and get a status with
reasons:

* rules of the *verification*, *signing* and *agency* phases decide: a FAIL-level failure
  is ``failed`` (the document is non-compliant), a FAIL-level undecided result is
  ``indeterminate``;
* rules of the *storage* phase (TT 41/2017 Art. 9, TT 15/2025 Art. 5 cl. 4: what must be
  kept *with* the document) are about the receiving or sending agency's own records, not
  about the document: when they are not met (e.g. no copy of the CA's CPS, the TSA for the
  receipt timestamp was down) they are reported as warnings for the host to act on; they
  never make vbsign return a sender's valid document;
* WARN-level results are warnings; so are the *other party's* duties that were not met
  (rules of the other direction, e.g. the sender's timestamp TT41-01 on an incoming
  document): the clerk is told, the document is not returned for them;
* the storage facts come from the evidence bundle actually being built, never assumed.

Apart from asking ``vbsign_signer_class`` plugins (the certificate registry) who the signers
are, nothing here does I/O. Policy code that raises or is missing fails closed: the status is
``indeterminate`` with the error as the reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from vbsign._core.i18n import Msg
from vbsign.api.compliance import with_signer_records
from vbsign.api.policies import load_policy
from vbsign.model.evidence import EvidenceBuilder
from vbsign.model.report import Finding, Report, Severity
from vbsign.model.sign import SignResult
from vbsign.policy import DocumentFacts, SigningFacts
from vbsign.policy import EvidenceBundle as StoredEvidence
from vbsign.policy.evaluate import evaluate as policy_evaluate
from vbsign.policy.model import RuleStatus

ComplianceStatus = Literal["passed", "failed", "indeterminate"]
Direction = Literal["outgoing", "incoming"]
Kind = Literal["main", "attachment", "copy"]


@dataclass
class Compliance:
    """Outcome of the policy step."""

    status: ComplianceStatus
    reasons: list[Finding] = field(default_factory=list)
    #: the policy engine's :class:`~vbsign.policy.ComplianceReport` (``None`` on error)
    result: Any = None
    policy: str | None = None
    #: storage-phase rules not met (what the host should add to its records)
    storage_warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        to_dict = getattr(self.result, "to_dict", None)
        out: dict[str, Any] = {
            "status": self.status,
            "policy": self.policy,
            # the engine's own status counts storage rules; the host decision does not
            "storage_warnings": self.storage_warnings,
        }
        if callable(to_dict):
            full = to_dict()
            full.pop("verification", None)  # report.json holds it already
            out["result"] = full
        return out


def _reason(r: Any, severity: Severity, prefix: Msg | None) -> Finding:
    sig_vi = f"[{r.signature_id}] " if r.signature_id else ""
    head_vi = f"{prefix.vi}: " if prefix else ""
    head_en = f"{prefix.en}: " if prefix else ""
    return Finding(
        f"POLICY_{r.rule_id}",
        severity,
        f"{head_vi}{sig_vi}{r.rule_id} ({r.citation_vi}): {r.message_vi}",
        f"{head_en}{sig_vi}{r.rule_id} ({r.citation_en}): {r.message_en}",
        {"rule": r.rule_id, "signature": r.signature_id, "phase": r.phase, "status": str(r.status)},
    )


def stored_facts(evidence: EvidenceBuilder, report: Report) -> Any:
    """What the evidence bundle being built *actually* holds, as policy facts (TT 41/2017 Đ9,
    Đ10; TT 15/2025 Đ5 k4) — never assumed: the report, the certificates of every signer,
    the revocation data, the CPS copies and the receipt timestamp found in it."""

    stored = {c.dump() for c in evidence.material.certificates}
    held = {hashlib.sha256(der).hexdigest().upper() for der in stored}
    signers = [s.signer.sha256_fingerprint.upper() for s in report.signatures if s.signer is not None]
    return StoredEvidence(
        cps_copies=tuple(evidence.extra.get("cps", {})),
        validation_report_stored="report.json" in evidence.files,
        revocation_data_stored=bool(evidence.material.ocsps or evidence.material.crls),
        certificates_stored=bool(signers) and all(fp in held for fp in signers),
        receipt_timestamp=evidence.receipt.time if evidence.receipt else None,
        # one bundle per document, a manifest of its files, delete_evidence removes exactly them
        deletable_per_document=True,
    )


def evaluate(
    report: Report,
    *,
    policy: Any,
    direction: Direction,
    kind: Kind = "main",
    signed: Sequence[SignResult] = (),
    expect_person_and_seal: bool = False,
    received_at: datetime | None = None,
    receipt_time: datetime | None = None,
    revocation_stored: bool = False,
    cps_copies: tuple[str, ...] = (),
    prefix: Msg | None = None,
    evidence: EvidenceBuilder | None = None,
    official: bool | None = None,
) -> Compliance:
    """Judge ``report`` against ``policy`` (a profile name, a policy file, a Policy or ``None``).

    With ``evidence`` (the bundle being built) the storage facts are read from it; without it
    only what the caller passes is known, and the certificates and the report count as *not*
    stored (TT15-09 then says so). Signers are looked up with ``vbsign_signer_class``
    plugins (the certificate registry) before the pure policy runs.
    """
    bundle = stored_facts(evidence, report) if evidence is not None else StoredEvidence(
        revocation_data_stored=revocation_stored, receipt_timestamp=receipt_time, cps_copies=cps_copies,
    )
    facts = DocumentFacts(
        direction=direction,
        kind=kind,
        roles=("person", "organisation") if expect_person_and_seal else None,
        received_at=received_at,
        signing=tuple(SigningFacts.from_result(r) for r in signed),
        bundle=bundle,
        official=official,
    )
    facts = with_signer_records(facts, report)
    result = policy_evaluate(report, load_policy(policy), facts)  # a bad policy raises PolicyError
    return _decision(result, prefix)


def _decision(result: Any, prefix: Msg | None) -> Compliance:
    """The host's reading of a compliance result: storage rules and the other party's
    duties are warnings; blocking results decide."""
    reasons: list[Finding] = []
    storage: list[str] = []
    failed = undecided = False
    for r in result.failures():
        if r.phase == "storage":
            reasons.append(_reason(r, Severity.WARNING, prefix))
            storage.append(r.rule_id)
            continue
        reasons.append(_reason(r, Severity.ERROR, prefix))
        if r.status is RuleStatus.FAILED:
            failed = True
        else:
            undecided = True
    reasons += [_reason(r, Severity.WARNING, prefix) for r in result.warnings()]
    # the other party's duties (e.g. the sender's timestamp on an incoming document): the
    # clerk is told, the document is not refused for them (TT 41/2017 Đ9 binds the sender)
    reasons += [
        _reason(r, Severity.WARNING, prefix)
        for r in result.results
        if r.other_party and r.level.rank >= 2 and r.status in (RuleStatus.FAILED, RuleStatus.INDETERMINATE)
    ]
    status: ComplianceStatus = "failed" if failed else "indeterminate" if undecided else "passed"
    return Compliance(status, reasons, result, result.policy, sorted(set(storage)))


def check_policy(policy: Any) -> None:
    """Resolve ``policy`` now, so that a misnamed policy fails before anything is signed."""
    load_policy(policy)
