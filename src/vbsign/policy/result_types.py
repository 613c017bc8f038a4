"""The compliance report's value types: per rule passed / failed / indeterminate / not
applicable, with evidence. :mod:`vbsign.policy.result` re-exports them and gives
:class:`ComplianceReport` its human renderings (whose module reads these types).

It embeds the verification :class:`~vbsign.report.Report` it was computed from, so that the
JSON form is a complete, self-contained record to keep with the document (TT 15/2025 Đ5 k4:
keep the certificate-status check result). Its schema is derived from these dataclasses
(:func:`json_schema`), like the verification report's.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal, Self

from vbsign._core.i18n import Lang, Msg, current_lang
from vbsign._version import __version__
from vbsign.model.report import Report
from vbsign.model.report_types import (
    Finding,
    Indication,
    SubIndication,
    _from_jsonable,
    _schema_for,
    _to_jsonable,
)
from vbsign.model.report_types import json_schema as report_schema
from vbsign.policy.model import Level, RuleStatus

SCHEMA_ID = "https://vbsign.vn/schemas/compliance/v1"


class ComplianceStatus(enum.StrEnum):
    """Plain-language outcome for the clerk (the ETSI indication is kept alongside)."""

    COMPLIANT = "compliant"
    NON_COMPLIANT = "non-compliant"
    UNDETERMINED = "undetermined"


STATUS_TEXT: dict[ComplianceStatus, Msg] = {
    ComplianceStatus.COMPLIANT: Msg("ĐẠT", "COMPLIANT"),
    ComplianceStatus.NON_COMPLIANT: Msg("KHÔNG ĐẠT", "NOT COMPLIANT"),
    ComplianceStatus.UNDETERMINED: Msg("CHƯA XÁC ĐỊNH", "UNDETERMINED"),
}


@dataclass
class RuleResult:
    """The outcome of one rule for one signature (``signature_id``) or for the document."""

    rule_id: str
    #: the profile's level for this rule
    level: Level
    #: the level this outcome counts at (lower than ``level`` when the outcome is capped,
    #: e.g. an unknown signer type counts at INFORM at most)
    effective_level: Level
    status: RuleStatus
    message_vi: str
    message_en: str
    citation_vi: str
    citation_en: str
    requirement_vi: str
    requirement_en: str
    phase: str
    signature_id: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    indication: Indication | None = None
    sub_indication: SubIndication | None = None
    #: whose duty the rule states (outgoing / incoming / both)
    direction: str = "both"
    #: the rule is a duty of the other party (e.g. the sender's, on an incoming document):
    #: reported at INFORM at most
    other_party: bool = False

    def message(self, lang: Lang | None = None) -> str:
        return self.message_en if (lang or current_lang()) == "en" else self.message_vi

    def citation(self, lang: Lang | None = None) -> str:
        return self.citation_en if (lang or current_lang()) == "en" else self.citation_vi

    @property
    def blocking(self) -> bool:
        """A FAIL-level failure or indeterminate outcome."""
        return self.effective_level is Level.FAIL and self.status in (RuleStatus.FAILED, RuleStatus.INDETERMINATE)


@dataclass
class SignerSummary:
    """Who signed, as the policy sees it (classification, anchor)."""

    signature_id: str
    name: str | None
    signer_class: Literal["person", "organisation", "unknown"]
    classification_vi: str
    classification_en: str
    anchor: str | None = None
    anchor_hierarchy: str | None = None
    anchor_official: bool | None = None
    signing_time: datetime | None = None
    time_proven: bool = False


@dataclass
class ComplianceReport:
    """Verification + policy for one document."""

    policy: str
    profile: str
    policy_title_vi: str
    policy_title_en: str
    policy_source: str
    status: ComplianceStatus
    indication: Indication
    sub_indication: SubIndication | None
    verification: Report
    results: list[RuleResult] = field(default_factory=list)
    signers: list[SignerSummary] = field(default_factory=list)
    #: rule ids the policy ignores (level IGNORE), for transparency
    ignored_rules: list[str] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    generated_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    vbsign_version: str = __version__
    schema: str = SCHEMA_ID

    # ---- views ---------------------------------------------------------------------------
    @property
    def compliant(self) -> bool:
        return self.status is ComplianceStatus.COMPLIANT

    @property
    def exit_code(self) -> int:
        """0 compliant, 1 not compliant, 2 undetermined (as ``vbsign verify``)."""
        return {ComplianceStatus.COMPLIANT: 0, ComplianceStatus.NON_COMPLIANT: 1, ComplianceStatus.UNDETERMINED: 2}[self.status]

    def failures(self) -> list[RuleResult]:
        return [r for r in self.results if r.blocking]

    def warnings(self) -> list[RuleResult]:
        return [
            r
            for r in self.results
            if r.status in (RuleStatus.FAILED, RuleStatus.INDETERMINATE) and r.effective_level is Level.WARN
        ]

    def result(self, rule_id: str, signature_id: str | None = None) -> RuleResult:
        """The result of ``rule_id`` (for ``signature_id``, or the first one)."""
        for r in self.results:
            if r.rule_id == rule_id and (signature_id is None or r.signature_id == signature_id):
                return r
        raise KeyError(f"no result for {rule_id} {signature_id or ''}".strip())

    def summary(self, lang: Lang | None = None) -> str:
        lang = lang or current_lang()
        st = STATUS_TEXT[self.status].get(lang)
        name = self.verification.document.name
        n = len(self.failures())
        if lang == "en":
            return f"{name}: {st} with policy {self.policy} ({n} blocking rule result{'s' if n != 1 else ''})"
        return f"{name}: {st} theo chính sách {self.policy} ({n} quy tắc không đạt)"

    # ---- JSON -------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        out = _to_jsonable(self)
        assert isinstance(out, dict)
        out["verification"] = self.verification.to_dict()
        out["summary_vi"] = self.summary("vi")
        out["summary_en"] = self.summary("en")
        return out

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        if data.get("schema") != SCHEMA_ID:
            raise ValueError(f"unsupported compliance report schema {data.get('schema')!r}")
        data = {k: v for k, v in data.items() if k not in ("summary_vi", "summary_en")}
        verification = Report.from_dict(data.pop("verification"))
        obj = _from_jsonable(cls, {**data, "verification": None})
        assert isinstance(obj, cls)
        obj.verification = verification
        return obj


def json_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of :meth:`ComplianceReport.to_dict`, derived from the code."""

    defs: dict[str, Any] = {}
    root = _schema_for(ComplianceReport, defs)
    rep = report_schema()
    defs.update(rep["$defs"])
    d = defs["ComplianceReport"]
    d["properties"]["verification"] = {"$ref": "#/$defs/Report"}
    d["properties"]["summary_vi"] = {"type": "string"}
    d["properties"]["summary_en"] = {"type": "string"}
    d["properties"]["schema"] = {"const": SCHEMA_ID}
    defs["Report"]["properties"]["summary_vi"] = {"type": "string"}
    defs["Report"]["properties"]["summary_en"] = {"type": "string"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "vbsign compliance report",
        **root,
        "$defs": defs,
    }
