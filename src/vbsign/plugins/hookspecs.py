"""The plugin contract of vbsign: every hook a plugin may implement.

Hook names start with ``vbsign_``. Plugins are found through the ``vbsign`` entry-point
group; vbsign's own built-in behaviour is registered through the same mechanism.

(This module is the single source of truth; ``docs/plugins.rst`` is generated from it.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from ..events import AuditEvent, CertificateAlert

PROJECT = "vbsign"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class AuditSpec:
    """Audit sinks."""

    @hookspec
    def vbsign_audit_event(self, event: AuditEvent) -> None:
        """Receive an audit event (document signed, verified, validated, sent, received).

        Called after the operation finished; an exception raised here is reported with the
        plugin's name and fails the operation *before* its result is released, never after
        a file was written. Not ``firstresult``: every sink receives every event.
        """


class RegistrySpec:
    """Certificate-registry notifications."""

    @hookspec
    def vbsign_certificate_alert(self, alert: CertificateAlert) -> None:
        """Receive a certificate lifecycle alert from the registry (expiring within N days,
        revoked, token-recovery deadline, validity anomaly, missing agency seal certificate).

        Use it to send e-mail or chat notifications. Not ``firstresult``.
        """
