"""The built-in rules, in catalogue order (legal-rules.md §9), then the e-mail rules (RFC 8550)."""

from __future__ import annotations

from vbsign.policy.model import Rule
from vbsign.policy.rules import (
    agency,
    appearance,
    exchange,
    mail,
    management,
    signing,
    storage,
    verification,
)

#: every built-in rule: verification, signing side (with the Decree 30 appearances), storage,
#: certificates and devices, exchange, agency expectations, e-mail (S/MIME)
BUILTIN_RULES: tuple[Rule, ...] = (
    *verification.RULES,
    *signing.RULES,
    *appearance.RULES,
    *storage.RULES,
    *management.RULES,
    *exchange.RULES,
    *agency.RULES,
    *mail.RULES,
)

__all__ = ["BUILTIN_RULES"]
