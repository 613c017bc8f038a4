"""Validation policies: Vietnamese legal rules as data, evaluated over verification evidence.

* :mod:`~vbsign.policy.model` — :class:`Rule` (id, citation, bilingual requirement, pure
  check function), :class:`Level`, :class:`Outcome`;
* :mod:`~vbsign.policy.rules` — the built-in rules (legal-rules.md §9);
* :mod:`~vbsign.policy.profiles` — ``base``, ``tt41`` (default), ``cdcv``, ``public``,
  ``auto``, with effective dates;
* :mod:`~vbsign.policy.registry` — :class:`PolicyRegistry`: ``register_rule`` /
  ``register_profile`` for plugins and agencies;
* :mod:`~vbsign.policy.tomlfile` — policy files (TOML);
* :mod:`~vbsign.policy.classify` — person vs organisation certificates;
* :mod:`~vbsign.policy.roots` — official Vietnamese CA fingerprints;
* :func:`evaluate` — report + policy + facts → :class:`ComplianceReport`.

Nothing here does I/O (reading a policy file named by the caller aside): evidence
gathering is verification's job (:func:`vbsign.verify`); :func:`vbsign.validate` runs both.
"""

from __future__ import annotations

import os
from pathlib import Path

from vbsign.policy.classify import Classification, ClassificationConfig, classify_signer
from vbsign.policy.evaluate import evaluate
from vbsign.policy.facts import DocumentFacts, EvidenceBundle, Expectations, SigningFacts
from vbsign.policy.model import (
    Citation,
    Level,
    Outcome,
    Rule,
    RuleStatus,
    failed,
    indeterminate,
    not_applicable,
    passed,
)
from vbsign.policy.policy import Policy, PolicySettings
from vbsign.policy.profiles import DEFAULT_PROFILE, Profile
from vbsign.policy.registry import PolicyRegistry, default_registry
from vbsign.policy.result import ComplianceReport, ComplianceStatus, RuleResult
from vbsign.policy.roots import AnchorBook, KnownCA, known_ca

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
        from vbsign.policy.tomlfile import load_policy_file

        spec = load_policy_file(policy, reg)
        return reg.resolve(spec.extends, spec.settings)
    return reg.resolve(os.fspath(policy))


__all__ = [
    "AnchorBook",
    "Citation",
    "Classification",
    "ClassificationConfig",
    "ComplianceReport",
    "ComplianceStatus",
    "DocumentFacts",
    "EvidenceBundle",
    "Expectations",
    "KnownCA",
    "Level",
    "Outcome",
    "Policy",
    "PolicyRegistry",
    "PolicySettings",
    "Profile",
    "Rule",
    "RuleResult",
    "RuleStatus",
    "SigningFacts",
    "classify_signer",
    "default_registry",
    "evaluate",
    "failed",
    "indeterminate",
    "known_ca",
    "load_policy",
    "not_applicable",
    "passed",
]
