"""``on_receive``: the receiving clerk's check of an incoming document (Decree 30/2020 Art. 21 cl. 2).

1. a receipt timestamp over the file exactly as received (Circular 41/2017 Art. 9 cl. 1 b);
2. verification (embedded validation data first, then the configured revocation sources,
   with bounded timeouts) and the incoming policy;
3. the decision: ``ACCEPT``; ``RETURN_TO_SENDER`` when a signature is invalid, the file
   carries no signature or does not comply (the clerk returns it with the reasons);
   ``QUARANTINE`` when no conclusion is possible yet (e.g. revocation status unreachable):
   never accepted by default;
4. ``vbsign_on_receive`` plugins may object (e.g. wrong addressee → return to sender);
5. an evidence bundle: report, revocation data used, certificates, receipt timestamp.

The received bytes are never modified.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import io
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import vbsign._core.files as _io
import vbsign.plugins.guard as plugin_guard
import vbsign.plugins.lifecycle as plugin_calls
import vbsign.plugins.manager as plugin_manager
from vbsign._core.aio import run_sync
from vbsign._core.errors import (
    ConfigurationError,
    InputError,
    PluginError,
    ServiceError,
    VbsignError,
)
from vbsign._core.i18n import Msg
from vbsign._core.timefmt import utcnow
from vbsign.api.verification import async_verify
from vbsign.host.compliance import Compliance, check_policy, evaluate
from vbsign.host.evidence import RecordingServices, document_material
from vbsign.host.reasons import BASIS_RETURN, error_reasons, report_reasons
from vbsign.host.types import ReceiveContext
from vbsign.model.events import AuditEvent
from vbsign.model.evidence import EvidenceBuilder, iso_time
from vbsign.model.host import RECEIVE_STRICTNESS, IncomingDocument, ReceiveDecision, ReceiveOutcome
from vbsign.model.report import Finding, Indication, Report, Severity
from vbsign.pki.net import http_timestamper
from vbsign.pki.validation import DEFAULT_SERVICES, Services

if TYPE_CHECKING:
    from pyhanko.sign.timestamps.api import TimeStamper


RETURN_REASON = Msg(
    "Trả lại nơi gửi (NĐ 30/2020/NĐ-CP Điều 21 khoản 2): văn bản điện tử không bảo đảm tính xác thực, "
    "toàn vẹn hoặc không đáp ứng quy định.",
    "Return to sender (Decree 30/2020 Art. 21 cl. 2): the electronic document is not authentic, intact "
    "or compliant.",
)
QUARANTINE_REASON = Msg(
    "Tạm giữ, chưa tiếp nhận: chưa xác định được hiệu lực chữ ký số (ví dụ không lấy được thông tin thu hồi); "
    "kiểm tra lại sau.",
    "Quarantined, not accepted: the signatures' validity cannot be established yet (e.g. revocation "
    "status unreachable); check again later.",
)
ACCEPT_REASON = Msg(
    "Văn bản điện tử bảo đảm tính xác thực, toàn vẹn: tiếp nhận.",
    "The electronic document is authentic and intact: accepted.",
)


def _named(data: bytes, name: str) -> io.BytesIO:
    stream = io.BytesIO(data)
    stream.name = name
    return stream


def _receipt_timestamper(tsa: str | TimeStamper | None, services: Services) -> TimeStamper | None:
    from pyhanko.sign.timestamps.api import TimeStamper as _TS

    if tsa is None or isinstance(tsa, _TS):
        return tsa
    plugged = plugin_calls.timestamper(tsa, services.timeout)
    if plugged is not None:
        return plugged
    if not services.online:
        raise ServiceError(
            Msg(
                "Chế độ ngoại tuyến không dùng được máy chủ dấu thời gian {u}.",
                "Offline mode cannot use the timestamp server {u}.",
            ).format(u=tsa)
        )

    return http_timestamper(tsa, services.timeout)


async def _add_receipt(builder: EvidenceBuilder, data: bytes, context: ReceiveContext, services: Services) -> list[Finding]:
    """Timestamp the received file; a failure is a warning (the verdict does not depend on it)."""
    missing = Msg(
        "Không có dấu thời gian tiếp nhận (TT 41/2017 Điều 9 khoản 1 điểm b): {why}",
        "No receipt timestamp (Circular 41/2017 Art. 9 cl. 1 b): {why}",
    )
    try:
        stamper = _receipt_timestamper(context.tsa, services)
        if stamper is None:
            return [Finding.of("RECEIPT_TIMESTAMP_MISSING", Severity.WARNING,
                               missing.format(why="chưa cấu hình máy chủ dấu thời gian / no TSA configured"))]
        token = await stamper.async_timestamp(hashlib.sha256(data).digest(), "sha256")
        builder.add_receipt(token.dump())
        return []
    except PluginError:
        raise
    except Exception as e:  # TSA down, refused, malformed answer: report it, keep going
        return [Finding.of("RECEIPT_TIMESTAMP_FAILED", Severity.WARNING,
                           missing.format(why=f"{type(e).__name__}: {str(e)[:200]}"))]


def decide(report: Report | None, compliance: Compliance | None) -> ReceiveDecision:
    """The decision for a verification verdict and a compliance status (fail closed)."""
    if report is None or report.indication in (Indication.TOTAL_FAILED, Indication.NO_SIGNATURE_FOUND):
        return ReceiveDecision.RETURN_TO_SENDER
    if report.indication is Indication.INDETERMINATE:
        return ReceiveDecision.QUARANTINE
    if compliance is not None and compliance.status == "failed":
        return ReceiveDecision.RETURN_TO_SENDER
    if compliance is not None and compliance.status == "indeterminate":
        return ReceiveDecision.QUARANTINE
    return ReceiveDecision.ACCEPT


def _headline(decision: ReceiveDecision) -> Finding:
    if decision is ReceiveDecision.RETURN_TO_SENDER:
        return Finding.of("RETURN_TO_SENDER", Severity.ERROR, RETURN_REASON, {"basis": BASIS_RETURN})
    if decision is ReceiveDecision.QUARANTINE:
        return Finding.of("QUARANTINE", Severity.WARNING, QUARANTINE_REASON)
    return Finding.of("ACCEPTED", Severity.INFO, ACCEPT_REASON)


async def _verify(
    data: bytes, name: str, context: ReceiveContext, services: Services, now: datetime, meta: dict[str, str]
) -> tuple[Report | None, list[Finding]]:
    """The verification report, or the reasons why there is none."""

    try:
        report = await async_verify(
            _named(data, name), trust=context.trust, services=services, now=now, at=context.at,
            metadata={**meta, "role": "incoming"},
        )
    except (PluginError, ConfigurationError):
        raise
    except InputError as e:  # not a format vbsign can verify: the sender must send a proper one
        return None, error_reasons(e)
    except VbsignError as e:  # verification could not run (resources, internal): no conclusion
        details = error_reasons(e)
        details[-1].severity = Severity.WARNING
        return None, details
    return report, []


async def async_on_receive(document: _io.Source | IncomingDocument, context: ReceiveContext) -> ReceiveOutcome:
    """Check an incoming document and decide ACCEPT / RETURN_TO_SENDER / QUARANTINE.

    Raises only for problems of the caller's making (unreadable input, configuration) and
    for failing plugins (:class:`~vbsign.errors.PluginError`, naming the plugin).
    """
    doc = document if isinstance(document, IncomingDocument) else IncomingDocument(document)
    data, source_name = _io.read_input(doc.content)
    name = doc.name or Path(source_name).name
    doc = dataclasses.replace(doc, content=data, name=name)  # plugins see the bytes as received
    check_policy(context.policy)
    clock = context.clock or utcnow
    received_at = clock()
    meta = {k: v for k, v in {
        **context.metadata, **doc.metadata, "document_id": doc.document_id, "kind": doc.kind, "unit": context.unit,
    }.items() if v}
    services = RecordingServices.wrap(context.services or DEFAULT_SERVICES)
    builder = EvidenceBuilder("receive", data, name)
    # the receipt timestamp is requested at once and runs while the document is verified
    receipt = asyncio.ensure_future(_add_receipt(builder, data, context, services))
    try:
        report, details = await _verify(data, name, context, services, received_at, meta)
    except BaseException:
        receipt.cancel()
        await asyncio.gather(receipt, return_exceptions=True)
        raise
    reasons = await receipt

    compliance: Compliance | None = None
    if report is not None:
        builder.add_report("report.json", report)
        details += report_reasons(report)
    material = document_material(data, report)
    if material is not None:
        builder.material.merge(material)
    elif report is not None:
        builder.extra["material_not_extracted"] = [name]
    builder.material.add(*services.recorder.collected())
    if report is not None and report.indication is Indication.TOTAL_PASSED:
        builder.add_cps_copies(report, context.cps_documents)
        compliance = evaluate(
            report, policy=context.policy, direction="incoming", kind=doc.kind, received_at=received_at,
            evidence=builder, official=context.official,
        )
        details += compliance.reasons
        builder.add_json("validation.json", {"document": compliance.to_dict()})

    if report is None and not any(f.severity is Severity.ERROR for f in details):
        decision = ReceiveDecision.QUARANTINE
    else:
        decision = decide(report, compliance)
    outcome = ReceiveOutcome(
        decision, [_headline(decision), *details, *reasons], report,
        builder.build(decision.value, [], created_at=received_at, metadata=meta),
        compliance.result if compliance else None,
    )
    _review_by_plugins(doc, context, outcome)

    builder.extra["received_at"] = iso_time(received_at)
    outcome.evidence = builder.build(outcome.decision.value, outcome.reasons, created_at=received_at, metadata=meta)
    if plugin_manager.has_implementations("vbsign_audit_event"):
        signers = [s.signer for s in (report.signatures if report else []) if s.kind == "signature" and s.signer]
        plugin_calls.emit_audit_event(
            AuditEvent(
                kind="receive",
                document_sha256=builder.document_sha256,
                document_name=name,
                document_id=meta.get("document_id"),
                verdict=outcome.decision.value,
                certificate_fingerprints=tuple(s.sha256_fingerprint for s in signers),
                signer_names=tuple(s.common_name or s.subject for s in signers),
                unit=context.unit,
                time=received_at,
                details={"reasons": [r.code for r in outcome.reasons], "metadata": meta},
            )
        )
    return outcome


def _review_by_plugins(doc: IncomingDocument, context: ReceiveContext, outcome: ReceiveOutcome) -> None:
    """``vbsign_on_receive`` plugins may object or make the decision stricter, never looser;
    each sees copies, and what they tried to change otherwise is recorded (plugins.guard)."""
    review = plugin_guard.review_decision(
        "vbsign_on_receive", document=doc, context=context, outcome=outcome,
        strictness=RECEIVE_STRICTNESS, objection=ReceiveDecision.RETURN_TO_SENDER,
    )
    if review.decision is not outcome.decision:
        outcome.decision = review.decision
        outcome.reasons[0] = _headline(outcome.decision)
    outcome.reasons[1:1] = review.findings


def on_receive(document: _io.Source | IncomingDocument, context: ReceiveContext) -> ReceiveOutcome:
    """Synchronous :func:`async_on_receive` (also works inside a running event loop)."""
    return run_sync(async_on_receive(document, context))


