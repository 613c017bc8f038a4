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

from vbsign._core.i18n import Msg
from vbsign._core.timefmt import VN_TZ, vn_time
from vbsign.model.report import Report
from vbsign.policy.classify import ClassificationConfig
from vbsign.policy.facts import DocumentFacts, Expectations
from vbsign.policy.model import Level, Rule
from vbsign.policy.profiles import TT41_REPORTED_REPEAL, Profile
from vbsign.policy.roots import HIERARCHY_TEXT, AnchorBook, Hierarchy


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
    #: key devices the agency knows the validation of (rule TT15-10): a text found in the
    #: device's manufacturer/model/label → its validation, e.g. "FIPS 140-2 level 3 (#1234)"
    key_devices: Mapping[str, str] = field(default_factory=dict)
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
    def select(self, report: Report, facts: DocumentFacts | None = None) -> tuple[Policy, Msg | None]:
        """The concrete policy for ``report`` (itself unless this is ``auto``) and why.

        The legal regime follows the *document*, not the certificates: an official document
        of a state agency (the default — vbsign serves state agencies) is judged under the
        official-use rules (``tt41`` while Circular 41/2017 is in force at the signing time,
        ``cdcv`` after it), any other document under ``public``. The facts
        (``DocumentFacts.official``: ``vbsign validate --document-kind``, a host argument)
        or the policy file (``[expectations] official``) say which it is. A public-CA
        signature on an official document is then a finding (VER-11), never a reason to
        switch to the public rules.
        """
        if not self.profile.auto:
            return self, None
        sigs = [s for s in report.signatures if s.kind == "signature"]
        when, basis = _signing_day(report)
        official = facts.official if facts is not None and facts.official is not None else self.expectations.official
        declared = official is not None
        if official is None:
            official = True
        if declared:
            nature = (
                Msg("văn bản công vụ của cơ quan nhà nước", "an official document of a state agency")
                if official
                else Msg("không phải văn bản công vụ", "not an official document")
            )
        else:
            nature = Msg(
                "chưa khai báo loại văn bản (--document-kind): coi là văn bản công vụ của cơ quan nhà nước",
                "the document kind is not declared (--document-kind): treated as an official document of a state agency",
            )
        if not official:
            chosen = "public"
            why = Msg("áp dụng quy định về chữ ký số công cộng", "the public digital-signature rules apply")
        else:
            chosen, why = self._official_regime(when)
        hierarchies = sorted(
            {
                (e.hierarchy if (e := self.anchors.lookup(s.chain[-1].sha256_fingerprint)) else "unknown")
                for s in sigs
                if s.chain
            }
        )
        h = Msg(
            ", ".join(HIERARCHY_TEXT[x].vi if x in HIERARCHY_TEXT else "không xác định" for x in hierarchies) or "—",
            ", ".join(HIERARCHY_TEXT[x].en if x in HIERARCHY_TEXT else "unknown" for x in hierarchies) or "—",
        )
        note = Msg(
            f"Hồ sơ 'auto' chọn '{chosen}': {nature.vi}; {why.vi}; thời điểm ký {vn_time(when)} ({basis.vi}); "
            f"hệ thống chứng thư của chữ ký: {h.vi}.",
            f"The 'auto' profile chose '{chosen}': {nature.en}; {why.en}; signing time {vn_time(when)} ({basis.en}); "
            f"certificate hierarchies of the signatures: {h.en}.",
        )
        return self.candidates[chosen], note

    def _official_regime(self, when: datetime) -> tuple[str, Msg]:
        """``tt41`` while Circular 41/2017 is in force on the signing day, else ``cdcv``."""
        day = when.astimezone(VN_TZ).date()
        tt41 = self.candidates["tt41"]
        until = self.settings.tt41_until
        start = tt41.profile.effective_from
        kind = (
            Msg("được báo cáo, chưa xác nhận", "reported, unconfirmed")
            if self.settings.tt41_until_source == "reported"
            else Msg("theo cấu hình", "configured")
        )
        if (start is None or day >= start) and (until is None or day < until):
            if until is None:
                return "tt41", Msg("TT 41/2017 được cấu hình là còn hiệu lực", "Circular 41/2017 is configured as in force")
            return "tt41", Msg(
                f"trước ngày TT 41/2017 hết hiệu lực ({until:%d/%m/%Y}, {kind.vi})",
                f"before Circular 41/2017 ceased to apply ({until:%Y-%m-%d}, {kind.en})",
            )
        if until is not None and day >= until:
            return "cdcv", Msg(
                f"TT 41/2017 hết hiệu lực từ {until:%d/%m/%Y} ({kind.vi}): quy định chữ ký số chuyên dùng công vụ",
                f"Circular 41/2017 ceased to apply on {until:%Y-%m-%d} ({kind.en}): the official-duty (CDCV) rules",
            )
        return "cdcv", Msg(
            "TT 41/2017 chưa có hiệu lực: quy định chữ ký số chuyên dùng công vụ",
            "Circular 41/2017 was not yet in force: the official-duty (CDCV) rules",
        )


def _signing_day(report: Report) -> tuple[datetime, Msg]:
    """The latest signing time of the report's signatures, and how it is known."""
    sigs = [s for s in report.signatures if s.kind == "signature"]
    proven = [s.signing_time for s in sigs if s.signing_time and s.signing_time_source == "timestamp"]
    claimed = [s.signing_time for s in sigs if s.signing_time]
    if proven:
        return max(proven), Msg("được chứng minh bằng dấu thời gian", "proven by a timestamp")
    if claimed:
        return max(claimed), Msg("do người ký khai báo, CHƯA được chứng minh", "claimed by the signer, NOT proven")
    return report.validation_time or report.generated_at, Msg(
        "không có thời điểm ký; dùng thời điểm kiểm tra", "no signing time; using the validation time"
    )
