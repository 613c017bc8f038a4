"""The registry of rules and profiles, and how a profile name becomes a :class:`Policy`.

Adding a rule or a profile from outside (a plugin, an agency's package) is one call::

    from vbsign.policy import Rule, Profile, default_registry
    default_registry().register_rule(MY_RULE)                        # selectable by id
    default_registry().register_rule(MY_RULE, levels={"tt41": "WARN"})  # … and in tt41
    default_registry().register_profile(Profile(name="bkhcn", title=..., description=...,
                                                extends=("tt41",), levels={"MY-01": "FAIL"}))

A rule registered without levels takes part only where a profile or a policy file names
it, so installing a plugin never changes the verdict of an existing profile by itself.
Rules and profiles returned by plugins' ``vbsign_policy_rules`` / ``vbsign_policy_profiles``
hooks are added on top of this registry by the API (:func:`vbsign.api.policy_registry`,
used by :func:`vbsign.validate`, the host bridge and the CLI): the policy layer is pure and
never looks for plugins itself.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import replace

from vbsign._core.errors import PolicyError
from vbsign._core.i18n import Msg
from vbsign.policy.model import Level, Rule
from vbsign.policy.policy import Policy, PolicySettings
from vbsign.policy.profiles import AUTO_CANDIDATES, BUILTIN_PROFILES, Profile
from vbsign.policy.roots import Hierarchy
from vbsign.policy.rules import BUILTIN_RULES


class PolicyRegistry:
    """Rules by id and profiles by name; resolves profiles into policies."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}
        self._profiles: dict[str, Profile] = {}
        #: levels given with register_rule(levels=…): profile name → rule id → level
        self._extra_levels: dict[str, dict[str, Level]] = {}
        self._origin: dict[str, str] = {}
        self._lock = threading.RLock()
        #: incremented by every registration (callers cache what they built from a registry)
        self.generation = 0

    @classmethod
    def builtin(cls) -> PolicyRegistry:
        """A registry holding vbsign's built-in rules and profiles (and nothing else)."""

        reg = cls()
        for rule in BUILTIN_RULES:
            reg.register_rule(rule, origin="vbsign")
        for profile in BUILTIN_PROFILES:
            reg.register_profile(profile, origin="vbsign")
        return reg

    def copy(self) -> PolicyRegistry:
        with self._lock:
            new = PolicyRegistry()
            new._rules = dict(self._rules)
            new._profiles = dict(self._profiles)
            new._extra_levels = {k: dict(v) for k, v in self._extra_levels.items()}
            new._origin = dict(self._origin)
            return new

    # ---- registration ---------------------------------------------------------------------
    def register_rule(
        self,
        rule: Rule,
        *,
        levels: Mapping[str, Level | str] | None = None,
        replace_existing: bool = False,
        origin: str = "plugin",
    ) -> None:
        """Add ``rule``; ``levels`` maps profile names (``"base"`` = every profile) to its level."""
        if not isinstance(rule, Rule):
            raise PolicyError(
                Msg(
                    f"Không phải quy tắc (vbsign.policy.Rule): {rule!r}",
                    f"Not a rule (vbsign.policy.Rule): {rule!r}",
                )
            )
        with self._lock:
            if rule.id in self._rules and not replace_existing:
                raise PolicyError(
                    Msg(
                        f"Quy tắc {rule.id} đã được đăng ký (bởi {self._origin.get('rule:' + rule.id)}).",
                        f"Rule {rule.id} is already registered (by {self._origin.get('rule:' + rule.id)}).",
                    )
                )
            self._rules[rule.id] = rule
            self._origin["rule:" + rule.id] = origin
            for profile, level in (levels or {}).items():
                self._extra_levels.setdefault(profile, {})[rule.id] = Level.parse(level)
            self.generation += 1

    def register_profile(self, profile: Profile, *, replace_existing: bool = False, origin: str = "plugin") -> None:
        if not isinstance(profile, Profile):
            raise PolicyError(
                Msg(
                    f"Không phải hồ sơ (vbsign.policy.Profile): {profile!r}",
                    f"Not a profile (vbsign.policy.Profile): {profile!r}",
                )
            )
        with self._lock:
            if profile.name in self._profiles and not replace_existing:
                raise PolicyError(
                    Msg(
                        f"Hồ sơ '{profile.name}' đã tồn tại (của {self._origin.get('profile:' + profile.name)}).",
                        f"Profile '{profile.name}' already exists (from {self._origin.get('profile:' + profile.name)}).",
                    )
                )
            for parent in profile.extends:
                if parent not in self._profiles:
                    raise PolicyError(
                        Msg(
                            f"Hồ sơ '{profile.name}' kế thừa hồ sơ chưa có: '{parent}'.",
                            f"Profile '{profile.name}' extends an unknown profile: '{parent}'.",
                        )
                    )
            self._profiles[profile.name] = profile
            self._origin["profile:" + profile.name] = origin
            self.generation += 1

    # ---- lookup -----------------------------------------------------------------------------
    def rule(self, rule_id: str) -> Rule:
        try:
            return self._rules[rule_id]
        except KeyError:
            raise PolicyError(
                Msg(f"Không có quy tắc '{rule_id}'.", f"No rule '{rule_id}'."),
                details={"rule": rule_id, "known": sorted(self._rules)},
            ) from None

    def has_rule(self, rule_id: str) -> bool:
        return rule_id in self._rules

    def rules(self) -> list[Rule]:
        return list(self._rules.values())

    def profile(self, name: str) -> Profile:
        try:
            return self._profiles[name]
        except KeyError:
            raise PolicyError(
                Msg(
                    f"Không có hồ sơ chính sách '{name}' (có: {', '.join(sorted(self._profiles))}).",
                    f"No policy profile '{name}' (available: {', '.join(sorted(self._profiles))}).",
                ),
                details={"profile": name},
            ) from None

    def profiles(self) -> list[Profile]:
        return list(self._profiles.values())

    def origin(self, kind: str, name: str) -> str | None:
        return self._origin.get(f"{kind}:{name}")

    def lineage(self, name: str) -> list[Profile]:
        """``name`` and its ancestors, ancestors first (each once)."""
        out: list[Profile] = []
        seen: set[str] = set()

        def visit(n: str, stack: tuple[str, ...]) -> None:
            if n in stack:
                raise PolicyError(Msg(f"Hồ sơ kế thừa vòng: {' → '.join((*stack, n))}", f"Circular profile inheritance: {' → '.join((*stack, n))}"))
            p = self.profile(n)
            for parent in p.extends:
                visit(parent, (*stack, n))
            if n not in seen:
                seen.add(n)
                out.append(p)

        visit(name, ())
        return out

    def levels(self, name: str) -> dict[str, Level]:
        """Rule id → level for profile ``name`` (parents first, then the profile, then extras)."""
        merged: dict[str, Level] = {}
        for p in self.lineage(name):
            merged.update(p.levels)
            merged.update(self._extra_levels.get(p.name, {}))
        return merged

    def anchor_hierarchies(self, name: str) -> frozenset[Hierarchy]:
        for p in reversed(self.lineage(name)):
            if p.anchor_hierarchies is not None:
                return p.anchor_hierarchies
        return frozenset({"cdcv", "national"})

    # ---- resolution -------------------------------------------------------------------------
    def resolve(self, name: str, settings: PolicySettings | None = None) -> Policy:
        """The :class:`Policy` for profile ``name`` with ``settings`` applied."""
        settings = settings or PolicySettings()
        with self._lock:
            profile = self.profile(name)
            for rid in settings.levels:
                if rid not in self._rules:
                    raise PolicyError(
                        Msg(
                            f"Tệp chính sách đặt mức cho quy tắc không tồn tại: '{rid}'.",
                            f"The policy sets a level for an unknown rule: '{rid}'.",
                        ),
                        details={"rule": rid},
                    )
            levels = self.levels(name)
            levels.update(settings.levels)
            for rid in list(levels):
                if rid not in self._rules:
                    del levels[rid]  # a profile may name a plugin rule that is not installed
            candidates: dict[str, Policy] = {}
            if profile.auto:
                inner = replace(settings, name=None, title=None)
                candidates = {c: self.resolve(c, inner) for c in AUTO_CANDIDATES}
            return Policy(
                name=settings.name or profile.name,
                title=settings.title or profile.title,
                profile=profile,
                rules=tuple(self._rules.values()),
                levels=levels,
                anchor_hierarchies=self.anchor_hierarchies(name),
                settings=settings,
                candidates=candidates,
            )


_default: PolicyRegistry | None = None
_default_lock = threading.Lock()


def default_registry() -> PolicyRegistry:
    """The process-wide registry: vbsign's built-in rules and profiles, plus what was
    registered in it explicitly (plugins' rules and profiles: :func:`vbsign.api.policy_registry`)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = PolicyRegistry.builtin()
        return _default
