"""A resolved policy: a profile's levels plus the caller's (or a policy file's) settings.

:class:`Policy` is what :func:`vbsign.policy.evaluate` runs. It is immutable and
self-contained (rules, levels, anchors, classification, expectations), so registering a
rule later never changes a policy already resolved. The ``auto`` policy carries one
resolved candidate per concrete profile and picks one per document
(:meth:`Policy.select`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ..i18n import Msg
from ..report import Report
from .classify import ClassificationConfig
from .context import vn_time
from .facts import Expectations
from .model import Level, Rule
from .profiles import TT41_REPORTED_REPEAL, Profile
from .roots import HIERARCHY_TEXT, AnchorBook, Hierarchy

_VN = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class PolicySettings:
    """What a policy file (or the caller) adds to a profile."""

    name: str | None = None
    title: Msg | None = None
    #: rule id → level overrides (IGNORE disables a rule)
    levels: Mapping[str, Level] = field(default_factory=dict)
    anchors: AnchorBook = field(default_factory=AnchorBook)
    classification: ClassificationConfig = field(default_factory=ClassificationConfig)
    expectations: Expectations = field(default_factory=Expectations)
    #: end of TT 41/2017 used by ``auto`` (None: never repealed)
    tt41_until: date | None = TT41_REPORTED_REPEAL
    #: "reported" (built-in default) or "configured"
    tt41_until_source: str = "reported"
    #: where these settings come from ("built-in" or a policy file path)
    source: str = "built-in"


@dataclass(frozen=True)
class Policy:
    """A profile resolved into rules and levels, with its settings."""

    name: str
    title: Msg
    profile: Profile
    rules: tuple[Rule, ...]
    levels: Mapping[str, Level]
    anchor_hierarchies: frozenset[Hierarchy]
    settings: PolicySettings
    #: for ``auto``: the concrete policies it chooses from
    candidates: Mapping[str, Policy] = field(default_factory=dict)

    @property
    def anchors(self) -> AnchorBook:
        return self.settings.anchors

    @property
    def classification(self) -> ClassificationConfig:
        return self.settings.classification

    @property
    def expectations(self) -> Expectations:
        return self.settings.expectations

    @property
    def source(self) -> str:
        return self.settings.source

    def level(self, rule_id: str) -> Level:
        return self.levels.get(rule_id, Level.IGNORE)

    def active(self) -> list[tuple[Rule, Level]]:
        """The rules this policy evaluates, in catalogue order, with their levels."""
        return [(r, self.level(r.id)) for r in self.rules if self.level(r.id) is not Level.IGNORE]

    # ---- auto ---------------------------------------------------------------------------------
    def select(self, report: Report) -> tuple[Policy, Msg | None]:
        """The concrete policy for ``report`` (itself unless this is ``auto``) and why."""
        if not self.profile.auto:
            return self, None
        sigs = [s for s in report.signatures if s.kind == "signature"]
        proven = [s.signing_time for s in sigs if s.signing_time and s.signing_time_source == "timestamp"]
        claimed = [s.signing_time for s in sigs if s.signing_time]
        if proven:
            when: datetime = max(proven)
            basis = Msg("được chứng minh bằng dấu thời gian", "proven by a timestamp")
        elif claimed:
            when = max(claimed)
            basis = Msg("do người ký khai báo, CHƯA được chứng minh", "claimed by the signer, NOT proven")
        else:
            when = report.validation_time or report.generated_at
            basis = Msg("không có thời điểm ký; dùng thời điểm kiểm tra", "no signing time; using the validation time")
        day = when.astimezone(_VN).date()
        tt41 = self.candidates["tt41"]
        until = self.settings.tt41_until
        start = tt41.profile.effective_from
        in_force = (start is None or day >= start) and (until is None or day < until)
        hierarchies: set[str] = set()
        for s in sigs:
            if s.chain:
                entry = self.anchors.lookup(s.chain[-1].sha256_fingerprint)
                hierarchies.add(entry.hierarchy if entry else "unknown")
        kind = (
            Msg("được báo cáo, chưa xác nhận", "reported, unconfirmed")
            if self.settings.tt41_until_source == "reported"
            else Msg("theo cấu hình", "configured")
        )
        if in_force:
            chosen = "tt41"
            if until is None:
                why = Msg("TT 41/2017 được cấu hình là còn hiệu lực", "Circular 41/2017 is configured as in force")
            else:
                why = Msg(
                    f"trước ngày TT 41/2017 hết hiệu lực ({until:%d/%m/%Y}, {kind.vi})",
                    f"before Circular 41/2017 ceased to apply ({until:%Y-%m-%d}, {kind.en})",
                )
        else:
            chosen = "public" if hierarchies == {"national"} else "cdcv"
            h = Msg(
                ", ".join(HIERARCHY_TEXT[x].vi if x in HIERARCHY_TEXT else "không xác định" for x in sorted(hierarchies)) or "—",
                ", ".join(HIERARCHY_TEXT[x].en if x in HIERARCHY_TEXT else "unknown" for x in sorted(hierarchies)) or "—",
            )
            if until is not None and day >= until:
                when_vi = f"TT 41/2017 hết hiệu lực từ {until:%d/%m/%Y} ({kind.vi})"
                when_en = f"Circular 41/2017 ceased to apply on {until:%Y-%m-%d} ({kind.en})"
            else:
                when_vi, when_en = "TT 41/2017 chưa có hiệu lực", "Circular 41/2017 was not yet in force"
            why = Msg(
                f"{when_vi}; hệ thống chứng thư của chữ ký: {h.vi}",
                f"{when_en}; certificate hierarchies of the signatures: {h.en}",
            )
        note = Msg(
            f"Hồ sơ 'auto' chọn '{chosen}': thời điểm ký {vn_time(when)} ({basis.vi}); {why.vi}.",
            f"The 'auto' profile chose '{chosen}': signing time {vn_time(when)} ({basis.en}); {why.en}.",
        )
        return self.candidates[chosen], note
