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

from vbsign.policy.classify import Classification, ClassificationConfig, classify_signer
from vbsign.policy.evaluate import evaluate
from vbsign.policy.facts import DocumentFacts, EvidenceBundle, Expectations, SigningFacts
from vbsign.policy.loading import PolicyLike, is_policy_file, load_policy
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
    "PolicyLike",
    "PolicyRegistry",
    "PolicySettings",
    "Profile",
    "Rule",
    "RuleResult",
    "RuleStatus",
    "SigningFacts",
    "classify_signer",
    "DEFAULT_PROFILE",
    "default_registry",
    "evaluate",
    "failed",
    "indeterminate",
    "is_policy_file",
    "known_ca",
    "load_policy",
    "not_applicable",
    "passed",
]
