"""Lifecycle alerts, the audit log and the usage / year-end reports."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from ..events import AuditEvent
from ..i18n import Msg
from .alerts import Alert, compute_alerts
from .audit import (
    EVENT_KINDS,
    ChainReport,
    append_events,
    enqueue,
    pending_count,
    seal,
    verify_chain,
)
from .base import RegistryBase
from .errors import RegistryError
from .models import (
    AlertNotification,
    AuditEventRow,
    Setting,
)
from .periods import Period
from .stats import UsageReport, compute_usage


class AuditOps(RegistryBase):
    """Alerts, the hash-chained audit log, usage and year-end reports."""

    def alerts(
        self,
        *,
        within_days: int = 30,
        at: datetime | None = None,
        notify: bool = False,
        only_new: bool = True,
    ) -> list[Alert]:
        """Lifecycle alerts as of ``at`` (default: now).

        With ``notify=True`` they are also sent through the ``vbsign_certificate_alert``
        plugin hook — each (code, certificate/unit) once, unless ``only_new=False``.
        """
        now = at or self.clock()
        cal = self.calendar()
        with self.reading() as s:
            found = compute_alerts(s, at=now, within_days=within_days, calendar=cal)
        if notify:
            self._notify(found, only_new=only_new)
        return found

    def _notify(self, alerts: Sequence[Alert], *, only_new: bool) -> list[Alert]:
        hook = _alert_hook(self.plugin_manager)
        with self.reading() as s:
            done = {(c, k) for c, k in s.execute(select(AlertNotification.code, AlertNotification.key)).all()}
        sent: list[Alert] = []
        try:
            # hooks run outside any transaction (an e-mail plugin must not hold a lock)
            for a in alerts:
                if only_new and (a.code, a.key) in done:
                    continue
                hook(alert=a.to_event())
                sent.append(a)
        finally:
            # remember what was sent, also when a plugin failed half-way
            fresh = {(a.code, a.key) for a in sent} - done
            if fresh:
                with self.writing() as s:
                    for code, key in sorted(fresh):
                        s.add(AlertNotification(code=code, key=key))
        return sent

    # ---- audit log ---------------------------------------------------------------------
    def record_event(self, event: AuditEvent) -> None:
        """Record one audit event; it is in the hash chain when this returns.

        Built for many concurrent writers (the audit sink of several DMS workers): the
        event is queued without the chain lock, then the first writer to get the lock
        chains every queued event at once (see :func:`vbsign.registry.audit.seal`).
        """
        _check_kinds([event])
        # Core connection, no ORM session: this runs once per signature in the host
        with self._core() as conn:
            if conn.dialect.name == "sqlite":
                # SQLite has a single writer anyway: one short write transaction is cheapest
                with conn.begin():
                    append_events(conn, [event])
                return
            # queueing is one INSERT, committed on its own: no BEGIN/COMMIT round trips
            conn.execution_options(isolation_level="AUTOCOMMIT")
            last = enqueue(conn, [event])
            conn.commit()  # ends SQLAlchemy's autobegun block (nothing is sent in AUTOCOMMIT)
            conn.execution_options(isolation_level=conn.default_isolation_level)
            with conn.begin():
                seal(conn, through=last)

    def record_events(self, events: Sequence[AuditEvent]) -> list[int]:
        """Append a batch of events in one transaction; returns their sequence numbers."""
        _check_kinds(events)
        with self._core() as conn, conn.begin():
            return append_events(conn, events)

    def verify_audit(self) -> ChainReport:
        with self.reading() as s:
            report = verify_chain(s)
            report.pending = pending_count(s.connection())
            return report

    def audit_events(
        self, *, since: datetime | None = None, until: datetime | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        import json

        with self.reading() as s:
            q = select(AuditEventRow)
            if since is not None:
                q = q.where(AuditEventRow.time >= since)
            if until is not None:
                q = q.where(AuditEventRow.time < until)
            rows = s.execute(q.order_by(AuditEventRow.seq.desc()).limit(limit)).scalars().all()
            return [
                {
                    "seq": r.seq, "time": r.time.isoformat(), "kind": r.kind, "document_id": r.document_id,
                    "document_name": r.document_name, "document_sha256": r.document_sha256, "verdict": r.verdict,
                    "unit_id": r.unit_id, "subscriber_id": r.subscriber_id,
                    "signers": json.loads(r.signer_names), "hash": r.hash,
                }
                for r in reversed(rows)
            ]

    def rebuild_summaries(self) -> int:
        """Recompute the report summaries from the audit log; returns the events read."""
        from .rollups import rebuild

        with self.writing() as s:
            return rebuild(s)

    def audit_count(self) -> int:
        with self.reading() as s:
            return int(s.execute(select(func.count()).select_from(AuditEventRow)).scalar_one())

    # ---- reports -------------------------------------------------------------------------
    def usage_report(self, period: Period, *, kind: str = "usage") -> UsageReport:
        with self.reading() as s:
            settings = {r.key: r.value for r in s.execute(select(Setting)).scalars()}
            return compute_usage(s, period, kind=kind, settings=settings, generated_at=self.clock())

    def year_end_report(self, year: int) -> UsageReport:
        from .periods import year as year_period

        return self.usage_report(year_period(year), kind="year-end")


def _check_kinds(events: Sequence[AuditEvent]) -> None:
    for e in events:
        if e.kind not in EVENT_KINDS:
            raise RegistryError(Msg("Loại sự kiện không hợp lệ: {k}", "Unknown event kind: {k}").format(k=e.kind))


def _alert_hook(plugin_manager: Any) -> Callable[..., Any]:
    """How alerts are sent: through ``plugin_manager`` when one was given (tests, hosts with
    their own pluggy manager), else through vbsign's process-wide plugin manager, which names
    the plugin in a :class:`~vbsign.errors.PluginError` if its hook fails."""
    if plugin_manager is not None:
        caller = plugin_manager.hook.vbsign_certificate_alert

        def send(alert: Any) -> None:
            # each receiver gets its own copy: one cannot change what the next one sees
            for impl in reversed(caller.get_hookimpls()):
                impl.function(**({"alert": copy.deepcopy(alert)} if "alert" in impl.argnames else {}))

        return send
    from ..plugins.lifecycle import notify_certificate_alert

    return lambda alert: notify_certificate_alert(alert)
