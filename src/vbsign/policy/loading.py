"""Turning what a caller names — a profile name, a policy file, a :class:`Policy` — into a
resolved :class:`~vbsign.policy.policy.Policy` (``vbsign.policy.load_policy``)."""

from __future__ import annotations

import os
from pathlib import Path

from vbsign.policy.policy import Policy
from vbsign.policy.profiles import DEFAULT_PROFILE
from vbsign.policy.registry import PolicyRegistry, default_registry
from vbsign.policy.tomlfile import load_policy_file

PolicyLike = Policy | str | os.PathLike[str] | None


def is_policy_file(value: str | os.PathLike[str], registry: PolicyRegistry | None = None) -> bool:
    """A path (``*.toml``, a path with a directory, or an existing file that is not a
    profile name) rather than a profile name."""
    text = os.fspath(value)
    if text.lower().endswith(".toml") or os.sep in text or (os.altsep and os.altsep in text):
        return True
    reg = registry or default_registry()
    if any(p.name == text for p in reg.profiles()):
        return False
    return Path(text).is_file()


def load_policy(policy: PolicyLike = None, *, registry: PolicyRegistry | None = None) -> Policy:
    """A :class:`Policy` from a profile name (``tt41``…), a policy file path, or a Policy."""
    if isinstance(policy, Policy):
        return policy
    reg = registry or default_registry()
    if policy is None:
        return reg.resolve(DEFAULT_PROFILE)
    if is_policy_file(policy, reg):
        spec = load_policy_file(policy, reg)
        return reg.resolve(spec.extends, spec.settings)
    return reg.resolve(os.fspath(policy))


__all__ = ["PolicyLike", "is_policy_file", "load_policy"]
