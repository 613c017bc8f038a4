"""The built-in rules, in catalogue order (legal-rules.md §9)."""

from __future__ import annotations

from ..model import Rule
from . import agency, signing, storage, verification

#: every built-in rule: verification, signing side, storage, agency expectations
BUILTIN_RULES: tuple[Rule, ...] = (*verification.RULES, *signing.RULES, *storage.RULES, *agency.RULES)

__all__ = ["BUILTIN_RULES"]
