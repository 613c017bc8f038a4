"""``on_send``: the agency's workflow for an outgoing document.

1. the competent person signs with a personal key (``context.person``), then the clerk
   applies the agency seal (``context.seal``) whose ``/Reason`` carries the document number
   and date (Decree 30/2020 Art. 13, 32–33; the number is assigned at this step);
2. each attachment in a separate file is signed by the agency, with the document number and
   the signing time top-right on its first page (Decree 30/2020 App. I);
3. the signed files are verified as a recipient would (embedded validation data first) and
   checked against the outgoing policy;
4. ``vbsign_on_send`` plugins may object;
5. the outcome: ``READY`` or ``BLOCKED`` with reasons, the signed bytes and an evidence
   bundle (report, revocation data, certificates — Circular 41/2017 Art. 9 cl. 1 a).

Nothing is written to disk: the host stores ``outcome.signed`` and
``outcome.evidence.write(dir)`` itself.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
from datetime import date, datetime
from pathlib import Path

import vbsign._core.files as _io
import vbsign.plugins.guard as plugin_guard
import vbsign.plugins.lifecycle as plugin_calls
import vbsign.plugins.manager as plugin_manager
from vbsign._core.aio import run_sync
from vbsign._core.errors import ConfigurationError, InputError, PluginError, VbsignError
from vbsign._core.i18n import Msg
from vbsign._core.timefmt import VN_TZ
from vbsign.api.verification import async_verify
from vbsign.appearance.roles import Appearance
from vbsign.host.appearances import default_appearances
from vbsign.host.compliance import Compliance, check_policy, evaluate
from vbsign.host.evidence import RecordingServices, document_material
from vbsign.host.reasons import error_reasons, report_reasons
from vbsign.host.types import SendContext
from vbsign.model.events import AuditEvent
from vbsign.model.evidence import EvidenceBuilder
from vbsign.model.host import (
    SEND_STRICTNESS,
    Attachment,
    OutgoingDocument,
    SendDecision,
    SendOutcome,
)
from vbsign.model.report import Finding, Indication, Report, Severity
from vbsign.model.sign import SignResult


def _named(data: bytes, name: str) -> io.BytesIO:
    stream = io.BytesIO(data)
    stream.name = name
    return stream


def seal_reason(number: str | None, issued: date) -> str:
    """The agency signature's ``/Reason``: issuing the document, with its number and date."""
    day = issued.strftime("%d/%m/%Y")
    return f"Ban hành văn bản số {number} ngày {day}" if number else f"Ban hành văn bản ngày {day}"


@dataclasses.dataclass
class _Signing:
    """What signing an outgoing document produced (``signed`` is None when it failed)."""

    reasons: list[Finding] = dataclasses.field(default_factory=list)
    signed: bytes | None = None
    signed_attachments: list[tuple[str, bytes]] = dataclasses.field(default_factory=list)
    results: list[SignResult] = dataclasses.field(default_factory=list)
    attachment_results: list[SignResult] = dataclasses.field(default_factory=list)


async def async_on_send(document: _io.Source | OutgoingDocument, context: SendContext) -> SendOutcome:
    """Sign (person, then agency seal; attachments), verify, validate; decide READY/BLOCKED.

    Raises only for problems of the caller's making (unreadable input, configuration) and
    for failing plugins (:class:`~vbsign.errors.PluginError`, naming the plugin); every
    problem with the document or the certificates is a ``BLOCKED`` decision with reasons.
    """
    doc = document if isinstance(document, OutgoingDocument) else OutgoingDocument(document)
    data, source_name = _io.read_input(doc.content)
    name = doc.name or Path(source_name).name
    attachments = [(a.name, _io.read_input(a.content)[0]) for a in doc.attachments]
    # plugins see the bytes that were signed, not a path that could change meanwhile
    doc = dataclasses.replace(
        doc, content=data, name=name, attachments=[Attachment(d, n) for n, d in attachments]
    )
    clock = context.clock or context.seal.now
    started = clock()
    issued = doc.date or started.astimezone(VN_TZ).date()
    meta = {k: v for k, v in {
        **context.metadata,
        "document_id": doc.document_id,
        "document_number": doc.number,
        "document_date": issued.isoformat(),
        "unit": context.unit,
        "recipients": ", ".join(doc.recipients) or None,
    }.items() if v}
    check_policy(context.policy)  # a misnamed policy fails before anything is signed
    if attachments and not doc.number:
        raise InputError(
            Msg(
                "Văn bản kèm theo (tệp riêng) cần số và ký hiệu của văn bản chính (NĐ 30/2020 Phụ lục I).",
                "Attachments in separate files need the main document's number (Decree 30/2020 App. I).",
            )
        )
    signing = await _sign_outgoing(doc, data, name, attachments, issued, context, meta)
    reasons = signing.reasons
    builder = EvidenceBuilder("send", signing.signed if signing.signed is not None else data, name)
    report: Report | None = None
    compliance: Compliance | None = None
    if signing.signed is not None:
        report, compliance = await _check_outgoing(signing, name, context, clock(), meta, builder)

    failed = signing.signed is None or any(r.severity is Severity.ERROR for r in reasons) or (
        report is not None and report.indication is not Indication.TOTAL_PASSED
    ) or (compliance is not None and compliance.status != "passed")
    decision = SendDecision.BLOCKED if failed else SendDecision.READY
    outcome = SendOutcome(decision, reasons, signing.signed, signing.signed_attachments, report,
                          builder.build(decision.value, reasons, created_at=started, metadata=meta),
                          compliance.result if compliance else None)

    _review_by_plugins(doc, context, outcome)

    builder.extra.update({
        "document_number": doc.number,
        "document_date": issued.isoformat(),
        "attachments": [
            {"name": n, "sha256": hashlib.sha256(b).hexdigest(), "size": len(b)} for n, b in signing.signed_attachments
        ],
    })
    outcome.evidence = builder.build(outcome.decision.value, outcome.reasons, created_at=started, metadata=meta)
    if plugin_manager.has_implementations("vbsign_audit_event"):
        plugin_calls.emit_audit_event(
            AuditEvent(
                kind="send",
                document_sha256=builder.document_sha256,
                document_name=name,
                document_id=doc.document_id,
                verdict=outcome.decision.value,
                certificate_fingerprints=tuple(r.signer.sha256_fingerprint for r in signing.results),
                signer_names=tuple(r.signer.common_name or r.signer.subject for r in signing.results),
                unit=context.unit,
                time=started,
                details={"reasons": [r.code for r in outcome.reasons], "metadata": meta},
            )
        )
    return outcome


async def _sign_outgoing(
    doc: OutgoingDocument,
    data: bytes,
    name: str,
    attachments: list[tuple[str, bytes]],
    issued: date,
    context: SendContext,
    meta: dict[str, str],
) -> _Signing:
    """Step 1-2: the person signs, the agency seals (the reason carries the number and
    date), the agency signs each attachment. A signing failure of the document's own
    making is a reason (the decision is then BLOCKED); plugin and configuration errors raise."""
    seal = context.seal
    out = _Signing()
    try:
        person_appearance, seal_appearance = default_appearances(context)  # Decree 30 by default
        current = data
        if context.person is not None:
            person = await context.person.async_sign(
                _named(current, name),
                field=context.person_field,
                reason=context.person_reason,
                location=context.location,
                appearance=person_appearance,
                metadata={**meta, "role": "person"},
            )
            current = person.data
            out.results.append(person)
        sealed = await seal.async_sign(
            _named(current, name),
            field=context.seal_field,
            reason=seal_reason(doc.number, issued),
            location=context.location,
            appearance=seal_appearance,
            metadata={**meta, "role": "seal"},
        )
        out.signed = sealed.data
        out.results.append(sealed)
        for att_name, att_data in attachments:
            appearance = None
            if context.attachment_appearance:
                appearance = Appearance.attachment(doc.number or "")
            res = await seal.async_sign(
                _named(att_data, att_name),
                reason=f"Văn bản kèm theo văn bản số {doc.number}",
                location=context.location,
                appearance=appearance,
                metadata={**meta, "role": "attachment", "attachment": att_name},
            )
            out.signed_attachments.append((att_name, res.data))
            out.attachment_results.append(res)
    except (PluginError, ConfigurationError):
        raise
    except VbsignError as e:
        out.reasons += error_reasons(e, prefix=Msg("Không ký được", "Signing failed"))
    return out


async def _check_outgoing(
    signing: _Signing,
    name: str,
    context: SendContext,
    now: datetime,
    meta: dict[str, str],
    builder: EvidenceBuilder,
) -> tuple[Report, Compliance]:
    """Step 3: verify the signed files as a recipient would and judge them against the
    outgoing policy; reasons go to ``signing.reasons``, evidence to ``builder``."""
    assert signing.signed is not None
    seal = context.seal
    reasons = signing.reasons
    services = RecordingServices.wrap(context.services or seal.services)
    trust = context.trust if context.trust is not None else seal.trust
    check_meta = {**meta, "role": "outgoing-check"}
    report = await async_verify(
        _named(signing.signed, name), trust=trust, services=services, now=now, metadata=check_meta
    )
    builder.add_report("report.json", report)
    _merge_material(builder, signing.signed, report)
    if report.indication is not Indication.TOTAL_PASSED:
        reasons += report_reasons(report, prefix=Msg("Kiểm tra sau khi ký", "Check after signing"))
    att_reports: list[tuple[str, Report, SignResult]] = []
    for (att_name, att_signed), res in zip(signing.signed_attachments, signing.attachment_results, strict=True):
        att_report = await async_verify(
            _named(att_signed, att_name), trust=trust, services=services, now=now,
            metadata={**check_meta, "attachment": att_name},
        )
        builder.add_report(f"attachments/{_safe(att_name)}.report.json", att_report)
        _merge_material(builder, att_signed, att_report)
        att_reports.append((att_name, att_report, res))
        if att_report.indication is not Indication.TOTAL_PASSED:
            reasons += report_reasons(att_report, prefix=Msg(f"Tệp kèm theo {att_name}", f"Attachment {att_name}"))
    # revocation data from the pre-signing checks (the certificate status at signing time)
    for signer in (context.person, seal):
        if signer is not None:
            chk = await signer.async_check_certificate(now)
            builder.material.add(chk.ocsps, chk.crls, [chk.certificate])
    builder.material.add(*services.recorder.collected())
    builder.add_cps_copies(report, context.cps_documents)
    compliance = evaluate(
        report, policy=context.policy, direction="outgoing", kind="main", signed=signing.results,
        expect_person_and_seal=context.person is not None, evidence=builder, official=context.official,
    )
    reasons += compliance.reasons
    validation: dict[str, object] = {"document": compliance.to_dict(), "attachments": {}}
    for att_name, att_report, res in att_reports:
        builder.add_cps_copies(att_report, context.cps_documents)
        att_compliance = evaluate(
            att_report, policy=context.policy, direction="outgoing", kind="attachment", signed=[res],
            evidence=builder, official=context.official,
            prefix=Msg(f"Tệp kèm theo {att_name}", f"Attachment {att_name}"),
        )
        reasons += att_compliance.reasons
        validation["attachments"][att_name] = att_compliance.to_dict()  # type: ignore[index]
        if att_compliance.status != "passed" and compliance.status == "passed":
            compliance.status = att_compliance.status
    builder.add_json("validation.json", validation)
    return report, compliance


def _review_by_plugins(doc: OutgoingDocument, context: SendContext, outcome: SendOutcome) -> None:
    """``vbsign_on_send`` plugins may object or make the decision stricter, never looser;
    each sees copies, and what they tried to change otherwise is recorded (plugins.guard)."""
    review = plugin_guard.review_decision(
        "vbsign_on_send", document=doc, context=context, outcome=outcome,
        strictness=SEND_STRICTNESS, objection=SendDecision.BLOCKED,
    )
    outcome.decision = review.decision
    outcome.reasons += review.findings


def on_send(document: _io.Source | OutgoingDocument, context: SendContext) -> SendOutcome:
    """Synchronous :func:`async_on_send` (also works inside a running event loop)."""
    return run_sync(async_on_send(document, context))



def _safe(name: str) -> str:
    """A file-name-safe version of an attachment name (no directories)."""
    base = Path(name).name or "attachment"
    return "".join(c if c.isalnum() or c in "-_.()" else "_" for c in base)


def _merge_material(builder: EvidenceBuilder, data: bytes, report: Report) -> None:
    material = document_material(data, report)
    if material is None:
        builder.extra.setdefault("material_not_extracted", []).append(report.document.name)
    else:
        builder.material.merge(material)
