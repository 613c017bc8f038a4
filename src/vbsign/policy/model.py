"""The rule model: what a rule *is*, and what checking it yields.

A :class:`Rule` is data — a stable id from the legal catalogue (``TT41-01``, ``VER-02``…),
the legal text it comes from (:class:`Citation`), a short statement of the requirement in
Vietnamese and English, and a *pure* check function. The check function reads the evidence
(:class:`vbsign.policy.context.Evidence`: the verification :class:`~vbsign.report.Report`,
the document facts and the policy's configuration) and returns an :class:`Outcome`; it never
opens a file or a socket and never changes the report.

How much a rule matters is not part of the rule: it is the *level* a profile gives it
(:class:`Level`: FAIL / WARN / INFORM / IGNORE), see :mod:`vbsign.policy.profiles`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from vbsign._core.i18n import Lang, Msg, current_lang
from vbsign.model.report import Indication, SubIndication


class Level(enum.StrEnum):
    """How a profile treats a rule that is not met (the vocabulary of EU DSS policies)."""

    #: not met → the document does not comply with the policy
    FAIL = "FAIL"
    #: not met → a warning; the document may still comply
    WARN = "WARN"
    #: reported for information only
    INFORM = "INFORM"
    #: not evaluated at all
    IGNORE = "IGNORE"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]

    @classmethod
    def parse(cls, value: str | Level) -> Level:
        if isinstance(value, Level):
            return value
        try:
            return cls(str(value).strip().upper())
        except ValueError:
            raise ValueError(f"unknown level {value!r} (FAIL, WARN, INFORM or IGNORE)") from None

    def label(self, lang: Lang | None = None) -> str:
        return LEVEL_TEXT[self].get(lang)


_LEVEL_RANK = {Level.IGNORE: 0, Level.INFORM: 1, Level.WARN: 2, Level.FAIL: 3}

LEVEL_TEXT: dict[Level, Msg] = {
    Level.FAIL: Msg("BẮT BUỘC", "MANDATORY"),
    Level.WARN: Msg("CẢNH BÁO", "WARNING"),
    Level.INFORM: Msg("THÔNG TIN", "INFORMATION"),
    Level.IGNORE: Msg("BỎ QUA", "IGNORED"),
}


def min_level(a: Level, b: Level | None) -> Level:
    """The weaker of two levels (``None`` = no cap)."""
    if b is None:
        return a
    return a if a.rank <= b.rank else b


class RuleStatus(enum.StrEnum):
    """The outcome of checking one rule against one signature (or the document)."""

    PASSED = "passed"
    FAILED = "failed"
    #: the evidence does not allow a conclusion (e.g. no revocation data) — fail closed
    INDETERMINATE = "indeterminate"
    #: the rule does not concern this signature / document (e.g. no timestamp to check)
    NOT_APPLICABLE = "not-applicable"


STATUS_TEXT: dict[RuleStatus, Msg] = {
    RuleStatus.PASSED: Msg("đạt", "passed"),
    RuleStatus.FAILED: Msg("không đạt", "failed"),
    RuleStatus.INDETERMINATE: Msg("chưa xác định", "indeterminate"),
    RuleStatus.NOT_APPLICABLE: Msg("không áp dụng", "not applicable"),
}

#: where in the life of a document a rule belongs
Phase = Literal["signing", "verification", "storage", "agency"]
#: what a rule is checked against: each signature, or the document as a whole
Scope = Literal["signature", "document"]
#: legal strength in the catalogue: "must" = explicit legal requirement, "should" = derived
Strength = Literal["must", "should"]
#: whose duty a rule states: the sender's (outgoing documents), the receiver's (incoming
#: documents) or both. A rule of the other direction is reported for information only.
RuleDirection = Literal["outgoing", "incoming", "both"]
DIRECTION_TEXT: dict[str, Msg] = {
    "outgoing": Msg("văn bản đi (nghĩa vụ bên gửi)", "outgoing (the sender's duty)"),
    "incoming": Msg("văn bản đến (nghĩa vụ bên nhận)", "incoming (the receiver's duty)"),
    "both": Msg("văn bản đi và đến", "outgoing and incoming"),
}


@dataclass(frozen=True)
class Instrument:
    """A legal instrument (circular, decree, law…)."""

    code: str
    vi: str
    en: str


INSTRUMENTS: dict[str, Instrument] = {
    i.code: i
    for i in (
        Instrument("TT41", "Thông tư 41/2017/TT-BTTTT", "Circular 41/2017/TT-BTTTT"),
        Instrument("TT15", "Thông tư 15/2025/TT-BKHCN", "Circular 15/2025/TT-BKHCN"),
        Instrument("TT39", "Thông tư 39/2017/TT-BTTTT", "Circular 39/2017/TT-BTTTT"),
        Instrument("ND68", "Nghị định 68/2024/NĐ-CP", "Decree 68/2024/ND-CP"),
        Instrument("ND23", "Nghị định 23/2025/NĐ-CP", "Decree 23/2025/ND-CP"),
        Instrument("ND30", "Nghị định 30/2020/NĐ-CP", "Decree 30/2020/ND-CP"),
        Instrument("LGDDT", "Luật Giao dịch điện tử 20/2023/QH15", "Law on E-Transactions 20/2023/QH15"),
        Instrument("QD28", "Quyết định 28/2018/QĐ-TTg", "Decision 28/2018/QD-TTg"),
        # provincial rules quoting national texts that could not be retrieved (legal-rules.md §3, §5)
        Instrument("QD144DT", "Quyết định 144/2025/QĐ-CTUBND tỉnh Đồng Tháp", "Decision 144/2025/QD-CTUBND of Dong Thap"),
        Instrument("QD165NB", "Quyết định 165/2025/QĐ-UBND tỉnh Ninh Bình", "Decision 165/2025/QD-UBND of Ninh Binh"),
        Instrument("QD161NB", "Quyết định 161/2025/QĐ-UBND tỉnh Ninh Bình", "Decision 161/2025/QD-UBND of Ninh Binh"),
        Instrument("AGENCY", "Quy chế của cơ quan (tệp chính sách)", "The agency's own rules (policy file)"),
        Instrument("RFC8550", "RFC 8550 (S/MIME 4.0 — xử lý chứng thư)", "RFC 8550 (S/MIME 4.0 certificate handling)"),
    )
}


@dataclass(frozen=True)
class Citation:
    """Where a rule comes from: instrument, article, clause, point.

    ``secondary`` marks text known only from a secondary source (news, Q&A site, provincial
    rule quoting the instrument) — see ``legal-rules.md`` §10 for what was not verified.
    """

    instrument: str
    article: str | None = None
    clause: str | None = None
    point: str | None = None
    #: free text appended as is (e.g. "Phụ lục I mục 1.3" / "Annex I item 1.3")
    extra: Msg | None = None
    secondary: bool = False

    def text(self, lang: Lang | None = None) -> str:
        lang = lang or current_lang()
        inst = INSTRUMENTS.get(self.instrument)
        name = (inst.en if lang == "en" else inst.vi) if inst else self.instrument
        parts = [name]
        if lang == "en":
            ref = ""
            if self.article:
                ref = f"Art. {self.article}"
                if self.clause:
                    ref += f"({self.clause})"
                if self.point:
                    ref += f"({self.point})"
            if ref:
                parts.append(ref)
        else:
            if self.article:
                parts.append(f"Điều {self.article}")
            if self.clause:
                parts.append(f"khoản {self.clause}")
            if self.point:
                parts.append(f"điểm {self.point}")
        if self.extra is not None:
            parts.append(self.extra.get(lang))
        out = ", ".join(parts)
        if self.secondary:
            out += " (nguồn thứ cấp)" if lang != "en" else " (secondary source)"
        return out


@dataclass(frozen=True)
class Outcome:
    """What a check function returns.

    ``evidence`` holds JSON-compatible values (str, int, float, bool, None, lists, dicts)
    showing *why*: an auditor must be able to re-check the conclusion from it.
    ``indication``/``sub_indication`` override the rule's defaults for this outcome (e.g.
    VER-01 fails with HASH_FAILURE or SIG_CRYPTO_FAILURE). ``cap`` limits the level at
    which this outcome may count (e.g. an unknown signer type is reported at INFORM at
    most, never as a failure presented as fact).
    """

    status: RuleStatus
    message: Msg
    evidence: Mapping[str, Any] = field(default_factory=dict)
    indication: Indication | None = None
    sub_indication: SubIndication | None = None
    cap: Level | None = None


def passed(message: Msg, **evidence: Any) -> Outcome:
    return Outcome(RuleStatus.PASSED, message, evidence)


def failed(
    message: Msg,
    *,
    indication: Indication | None = None,
    sub_indication: SubIndication | None = None,
    cap: Level | None = None,
    **evidence: Any,
) -> Outcome:
    return Outcome(RuleStatus.FAILED, message, evidence, indication, sub_indication, cap)


def indeterminate(
    message: Msg,
    *,
    sub_indication: SubIndication | None = None,
    cap: Level | None = None,
    **evidence: Any,
) -> Outcome:
    return Outcome(RuleStatus.INDETERMINATE, message, evidence, None, sub_indication, cap)


def not_applicable(message: Msg, **evidence: Any) -> Outcome:
    return Outcome(RuleStatus.NOT_APPLICABLE, message, evidence)


#: ``check(ev) -> Outcome`` over a :class:`vbsign.policy.context.Evidence`. Typed with
#: ``Any`` here: the evidence holds the resolved policy, which holds the rules — naming it
#: would make the rule model and the policy depend on each other (``docs/architecture.rst``);
#: the rules' own check functions are typed ``(ev: Evidence) -> Outcome``.
CheckFunction = Callable[[Any], Outcome]


@dataclass(frozen=True)
class Rule:
    """One machine-checkable requirement.

    ``id`` is stable (the legal catalogue's, or ``<ORG>-nn`` for an agency's own rules);
    ``requirement`` states what must hold, in both languages; ``how`` says how vbsign
    checks it (for auditors); ``check`` is a pure function. When the rule is not met at
    level FAIL the document's verdict gets ``indication``/``sub_indication`` (ETSI EN 319
    102-1: a policy constraint that is not met is INDETERMINATE with a ``*_CONSTRAINTS_FAILURE``
    sub-indication; cryptographic and structural failures are TOTAL-FAILED).
    """

    id: str
    requirement: Msg
    citations: tuple[Citation, ...]
    check: CheckFunction = field(compare=False, repr=False)
    how: Msg = Msg("", "")
    phase: Phase = "verification"
    scope: Scope = "signature"
    strength: Strength = "must"
    #: whose duty it is; when the document's direction is known, a rule of the other
    #: direction is evaluated but counts at INFORM at most (e.g. TT41-01, the sender's
    #: timestamp duty, never makes a receiver return a document)
    direction: RuleDirection = "both"
    indication: Indication = Indication.INDETERMINATE
    sub_indication: SubIndication = SubIndication.SIG_CONSTRAINTS_FAILURE

    def citation_text(self, lang: Lang | None = None) -> str:
        return "; ".join(c.text(lang) for c in self.citations)

    def __post_init__(self) -> None:
        if not self.id or any(ch.isspace() for ch in self.id):
            raise ValueError(f"invalid rule id {self.id!r}")
        if not self.citations:
            raise ValueError(f"rule {self.id}: at least one citation is required")
        if not (self.requirement.vi and self.requirement.en):
            raise ValueError(f"rule {self.id}: the requirement must exist in Vietnamese and English")
        if self.direction not in DIRECTION_TEXT:
            raise ValueError(f"rule {self.id}: direction must be outgoing, incoming or both")

    def applies_to(self, direction: str | None) -> bool:
        """Whether the rule is a duty for documents of ``direction`` (``None``: unknown → yes)."""
        return direction is None or self.direction in ("both", direction)
