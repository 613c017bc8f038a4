"""Events that vbsign reports to audit sinks (the certificate registry, a SIEM, e-mail...).

They are plain data, emitted through the ``vbsign_audit_event`` hook
(:mod:`vbsign.plugins.hookspecs`); sinks must not be able to change an operation's outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

EventKind = Literal["sign", "verify", "validate", "send", "receive"]


@dataclass(frozen=True)
class AuditEvent:
    """One signing or verification event."""

    kind: EventKind
    #: SHA-256 (hex) of the document the event is about (after signing, for "sign")
    document_sha256: str
    document_name: str | None = None
    #: the host system's document identifier, when known
    document_id: str | None = None
    #: ETSI indication for verify/validate events ("TOTAL-PASSED", ...); "SIGNED" for sign
    verdict: str | None = None
    #: SHA-256 fingerprints (hex, upper case) of the signers' certificates involved
    certificate_fingerprints: tuple[str, ...] = ()
    #: subject common names of those certificates (same order)
    signer_names: tuple[str, ...] = ()
    #: the unit (organisational unit / agency) on whose behalf the event happened, if known
    unit: str | None = None
    time: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CertificateAlert:
    """A lifecycle alert raised by the certificate registry (expiring, revoked, ...)."""

    code: str
    message_vi: str
    message_en: str
    certificate_fingerprint: str | None = None
    subject: str | None = None
    due: datetime | None = None
    details: dict[str, Any] = field(default_factory=dict)
