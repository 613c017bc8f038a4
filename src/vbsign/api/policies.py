"""Validation policies with what plugins contribute (``vbsign_policy_rules`` /
``vbsign_policy_profiles``): the policy layer itself (:mod:`vbsign.policy`) is pure and never
looks for plugins; the API, the host bridge and the CLI resolve policies through here.
"""

from __future__ import annotations

import threading

from vbsign.plugins import lifecycle, manager
from vbsign.policy import PolicyLike
from vbsign.policy import load_policy as _load_policy
from vbsign.policy.policy import Policy
from vbsign.policy.registry import PolicyRegistry, default_registry

_registry_lock = threading.Lock()
#: (plugin manager, generation of the default registry, the registry built from both)
_plugged_registry: tuple[object, int, PolicyRegistry] | None = None


def policy_registry() -> PolicyRegistry:
    """:func:`vbsign.policy.default_registry` plus the rules and profiles of the installed
    plugins (``vbsign_policy_rules`` / ``vbsign_policy_profiles``).

    Built once per plugin manager and rebuilt when rules or profiles are registered in the
    default registry afterwards; the default registry itself is never changed.
    """
    global _plugged_registry
    base = default_registry()
    pm = manager.get_plugin_manager()
    with _registry_lock:
        cached = _plugged_registry
        if cached is not None and cached[0] is pm and cached[1] == base.generation:
            return cached[2]
        reg = base.copy()
        for plugin, rule in lifecycle.policy_rules():
            reg.register_rule(rule, origin=f"plugin {plugin}")
        for plugin, profile in lifecycle.policy_profiles():
            reg.register_profile(profile, origin=f"plugin {plugin}")
        _plugged_registry = (pm, base.generation, reg)
        return reg


def load_policy(policy: PolicyLike = None) -> Policy:
    """:func:`vbsign.policy.load_policy` over :func:`policy_registry` (plugins' profiles too).

    Args:
        policy: a profile name, a TOML policy file or a loaded policy; ``None``: ``tt41``.
    """
    return _load_policy(policy, registry=policy_registry())


__all__ = ["load_policy", "policy_registry"]
