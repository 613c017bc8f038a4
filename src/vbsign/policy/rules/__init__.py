"""The built-in rules, in catalogue order (legal-rules.md §9), then the e-mail rules (RFC 8550)."""

from __future__ import annotations

import vbsign.policy.rules.agency as agency
import vbsign.policy.rules.appearance as appearance
import vbsign.policy.rules.exchange as exchange
import vbsign.policy.rules.mail as mail
import vbsign.policy.rules.management as management
import vbsign.policy.rules.signing as signing
import vbsign.policy.rules.storage as storage
import vbsign.policy.rules.verification as verification
from vbsign.policy.model import Rule

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
