"""What a document management system (the host) and vbsign exchange: documents, decisions,
outcomes — plain values.

The host builds its contexts (:class:`vbsign.host.SendContext`,
:class:`vbsign.host.ReceiveContext`: the open keys and trust settings) once per agency
and gets back outcomes with a decision, bilingual reasons, the signed bytes and an
:class:`~vbsign.model.evidence.EvidenceBundle`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from vbsign._core.files import Source
from vbsign._core.i18n import Lang, Msg, current_lang
from vbsign.model.evidence import EvidenceBundle
from vbsign.model.report import Finding, Report, Severity


class SendDecision(enum.StrEnum):
    """May the document leave the agency?"""

    #: signed, verified and compliant: send it
    READY = "READY"
    #: do not send; the reasons say why (signing refused, verification or policy failed)
    BLOCKED = "BLOCKED"


class ReceiveDecision(enum.StrEnum):
    """What the receiving clerk does with an incoming document (Decree 30/2020 Art. 21 cl. 2)."""

    #: authentic, intact and compliant: register it
    ACCEPT = "ACCEPT"
    #: invalid or non-compliant: return it to the sender through the system, with the reasons
    RETURN_TO_SENDER = "RETURN_TO_SENDER"
    #: no conclusion possible yet (e.g. revocation status unreachable): hold it, check again later
    QUARANTINE = "QUARANTINE"


#: decisions from the most lenient to the strictest: a plugin may only move a decision
#: to the right (:func:`vbsign.plugins.guard.review_decision`)
SEND_STRICTNESS: tuple[SendDecision, ...] = (SendDecision.READY, SendDecision.BLOCKED)
RECEIVE_STRICTNESS: tuple[ReceiveDecision, ...] = (
    ReceiveDecision.ACCEPT,
    ReceiveDecision.QUARANTINE,
    ReceiveDecision.RETURN_TO_SENDER,
)

DECISION_TEXT: dict[str, Msg] = {
    "READY": Msg("SẴN SÀNG GỬI", "READY TO SEND"),
    "BLOCKED": Msg("KHÔNG GỬI", "BLOCKED"),
    "ACCEPT": Msg("TIẾP NHẬN", "ACCEPT"),
    "RETURN_TO_SENDER": Msg("TRẢ LẠI NƠI GỬI", "RETURN TO SENDER"),
    "QUARANTINE": Msg("TẠM GIỮ, KIỂM TRA LẠI SAU", "QUARANTINE, CHECK AGAIN LATER"),
}


@dataclass(frozen=True)
class Attachment:
    """An attachment or appendix in a separate file (signed by the agency, Decree 30 App. I)."""

    content: Source
    name: str


@dataclass(frozen=True)
class OutgoingDocument:
    """A document the agency issues: the main file, its number and date, its attachments."""

    content: Source
    #: file name shown in reports and evidence (default: taken from ``content``)
    name: str | None = None
    #: "số và ký hiệu", e.g. ``"12/QĐ-BKHCN"`` (assigned by the clerk)
    number: str | None = None
    #: the issue date (default: the signing date in Vietnam)
    date: date | None = None
    #: the host's identifier of the document (audit events, evidence)
    document_id: str | None = None
    attachments: Sequence[Attachment] = ()
    #: addressees (informative: passed to plugins and recorded in the evidence)
    recipients: Sequence[str] = ()


@dataclass(frozen=True)
class IncomingDocument:
    """A document that arrived, with what the exchange's envelope says about it."""

    content: Source
    #: file name shown in reports and evidence (default: taken from ``content``)
    name: str | None = None
    #: a main document, an attachment in a separate file or an electronic copy
    kind: Literal["main", "attachment", "copy"] = "main"
    #: the host's identifier of the document (audit events, evidence)
    document_id: str | None = None
    #: the envelope: ``sender``, ``to`` (addressee), ``number``… (for plugins and evidence)
    metadata: Mapping[str, str] = field(default_factory=dict)


def reason(code: str, severity: Severity, msg: Msg, **details: Any) -> Finding:
    """A decision reason (a :class:`~vbsign.report.Finding`)."""
    return Finding.of(code, severity, msg, details)


@dataclass
class SendOutcome:
    """Result of :func:`vbsign.host.on_send`.

    ``signed`` and ``attachments`` hold the signed bytes even when the decision is
    ``BLOCKED`` (for inspection); a host must send only ``READY`` documents.
    """

    decision: SendDecision
    reasons: list[Finding]
    signed: bytes | None
    #: ``[(name, signed bytes)]`` for each attachment
    attachments: list[tuple[str, bytes]]
    report: Report | None
    evidence: EvidenceBundle
    #: the compliance result of the policy engine (``None`` if not evaluated)
    validation: Any = None

    @property
    def ready(self) -> bool:
        return self.decision is SendDecision.READY

    def summary(self, lang: Lang | None = None) -> str:
        return decision_summary(self.decision.value, self.reasons, lang)


@dataclass
class ReceiveOutcome:
    """Result of :func:`vbsign.host.on_receive`."""

    decision: ReceiveDecision
    reasons: list[Finding]
    report: Report | None
    evidence: EvidenceBundle
    validation: Any = None

    @property
    def accepted(self) -> bool:
        return self.decision is ReceiveDecision.ACCEPT

    def summary(self, lang: Lang | None = None) -> str:
        return decision_summary(self.decision.value, self.reasons, lang)


def decision_summary(decision: str, reasons: list[Finding], lang: Lang | None = None) -> str:
    """A host decision as text: the decision, then one line per warning or error reason
    (``lang``: the current language by default). Shared by every host outcome."""
    lang = lang or current_lang()
    lines = [DECISION_TEXT[decision].get(lang)]
    lines += [f"- {r.message(lang)}" for r in reasons if r.severity is not Severity.INFO]
    return "\n".join(lines)


__all__ = [
    "DECISION_TEXT",
    "RECEIVE_STRICTNESS",
    "SEND_STRICTNESS",
    "Attachment",
    "IncomingDocument",
    "OutgoingDocument",
    "ReceiveDecision",
    "ReceiveOutcome",
    "SendDecision",
    "SendOutcome",
    "decision_summary",
    "reason",
]
