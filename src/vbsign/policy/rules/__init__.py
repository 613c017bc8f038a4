"""The built-in rules, in catalogue order (legal-rules.md §9), then the e-mail rules (RFC 8550)."""

from __future__ import annotations

from ..model import Rule
from . import agency, mail, signing, storage, verification

#: every built-in rule: verification, signing side, storage, agency expectations
BUILTIN_RULES: tuple[Rule, ...] = (
    *verification.RULES, *signing.RULES, *storage.RULES, *agency.RULES, *mail.RULES
)

__all__ = ["BUILTIN_RULES"]
