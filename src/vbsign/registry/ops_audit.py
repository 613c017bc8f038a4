"""Lifecycle alerts, the audit log and the usage / year-end reports."""

from __future__ import annotations

import contextvars
import copy
import json
import logging
import os
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from vbsign._core.errors import VbsignError
from vbsign._core.files import printable
from vbsign._core.i18n import Msg
from vbsign.model.events import AuditEvent
from vbsign.model.report import Indication
from vbsign.plugins.lifecycle import notify_certificate_alert
from vbsign.registry.alerts import Alert, compute_alerts
from vbsign.registry.audit import (
    EVENT_KINDS,
    ChainProblem,
    ChainReport,
    append_events,
    check_checkpoint,
    enqueue,
    pending_count,
    seal,
    verify_chain,
)
from vbsign.registry.base import RegistryBase
from vbsign.registry.checkpoint import (
    LAST_KEY,
    LOG_ID_KEY,
    CheckedCheckpoint,
    Checkpoint,
    new_log_id,
    now_seconds,
    read_checkpoint,
    sign_checkpoint,
    write_checkpoint,
)
from vbsign.registry.errors import RegistryError
from vbsign.registry.models import AlertNotification, AuditEventRow, AuditHead, Setting
from vbsign.registry.periods import Period
from vbsign.registry.periods import year as year_period
from vbsign.registry.rollups import rebuild
from vbsign.registry.stats import UsageReport, compute_usage

if TYPE_CHECKING:
    from vbsign.api import Signer

logger = logging.getLogger(__name__)
#: a checkpoint is being made in this context (its own signature's audit event must not
#: start another one)
_checkpointing: contextvars.ContextVar[bool] = contextvars.ContextVar("vbsign_checkpointing", default=False)


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
        With :attr:`checkpoints` configured, a signed checkpoint is made when one is due.
        """
        self._record_event(event)
        if self.checkpoints is not None:
            self.auto_checkpoint()

    def _record_event(self, event: AuditEvent) -> None:
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
            seqs = append_events(conn, events)
        if self.checkpoints is not None:
            self.auto_checkpoint()
        return seqs

    def verify_audit(
        self,
        checkpoint: str | os.PathLike[str] | None = None,
        *,
        trust: Any = None,
        services: Any = None,
        now: datetime | None = None,
    ) -> ChainReport:
        """Check the hash chain and, with ``checkpoint`` (a signed checkpoint file, or a
        directory of them: the newest is used), that nothing up to it was changed.

        The checkpoint's signature is verified with ``trust`` / ``services`` / ``now``
        (as :func:`vbsign.verify`): a forged one is a problem; one whose signer cannot be
        established sets :attr:`~.audit.ChainReport.checkpoint_indeterminate`.
        """
        checked = None
        if checkpoint is not None:
            checked = read_checkpoint(Path(os.fspath(checkpoint)), trust=trust, services=services, now=now)
        with self.reading() as s:
            report = verify_chain(s)
            report.pending = pending_count(s.connection())
            if checked is not None:
                log_id = s.get(Setting, LOG_ID_KEY)
                for p in check_checkpoint(s, checked.checkpoint, log_id.value if log_id else None):
                    report.add(p)
        if checked is not None:
            _judge_checkpoint_signature(report, checked)
        return report

    # ---- signed checkpoints --------------------------------------------------------------
    def make_checkpoint(
        self,
        signer: Signer,
        *,
        out: str | os.PathLike[str] | None = None,
        directory: str | os.PathLike[str] | None = None,
        full: bool = True,
    ) -> tuple[Checkpoint, Path]:
        """Sign the current chain head and write it outside the database (see :mod:`.checkpoint`).

        The chain is verified first (``full``: all of it; else only after the last
        checkpoint made here): a tampered log is never anchored (:class:`RegistryError`).
        """
        with self.writing() as s:
            log_id = s.get(Setting, LOG_ID_KEY)
            if log_id is None:
                log_id = Setting(key=LOG_ID_KEY, value=new_log_id())
                s.add(log_id)
            last = _last_checkpoint(s)
            since = None if full or last is None else (int(last["seq"]), str(last["hash"]))
            report = verify_chain(s, since=since)
            if not report.ok:
                raise RegistryError(
                    Msg(
                        "Không lập điểm mốc: nhật ký không toàn vẹn ({n} vấn đề; xem registry audit verify).",
                        "No checkpoint made: the audit log is not intact ({n} problem(s); see registry audit verify).",
                    ).format(n=len(report.problems) + report.more_problems),
                    details={"problems": [p.to_dict() for p in report.problems]},
                )
            cp = Checkpoint(log_id.value, report.head_seq, report.head_hash, self.clock(), self.url)
        data = sign_checkpoint(cp, signer)
        path = write_checkpoint(
            data, cp, out=Path(os.fspath(out)) if out is not None else None,
            directory=Path(os.fspath(directory)) if directory is not None else None,
        )
        with self.writing() as s:
            value = json.dumps({"seq": cp.seq, "hash": cp.hash, "at": now_seconds(), "file": str(path)})
            row = s.get(Setting, LAST_KEY)
            if row is None:
                s.add(Setting(key=LAST_KEY, value=value))
            else:
                row.value = value
        return cp, path

    def auto_checkpoint(self) -> Path | None:
        """Make a checkpoint if one is due (:attr:`checkpoints`); never fails the caller.

        The event is recorded either way; a checkpoint that cannot be made (key, TSA or
        revocation service unavailable) is logged as an error and tried again at the next
        event.
        """
        config = self.checkpoints
        if config is None or _checkpointing.get():
            return None  # signing the checkpoint is itself recorded: no checkpoint of that one
        token = _checkpointing.set(True)
        try:
            with self.reading() as s:
                head = s.execute(select(AuditHead.seq)).scalar_one_or_none()
                last = _last_checkpoint(s)
            if head is None or not config.due(int(head), last, now_seconds()):
                return None
            _, path = self.make_checkpoint(config.signer(), directory=config.directory, full=False)
            return path
        except VbsignError as e:
            logger.error("audit checkpoint not made (tried again at the next event): %s", e.msg.en)
            return None
        finally:
            _checkpointing.reset(token)

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
        return self.usage_report(year_period(year), kind="year-end")


def _last_checkpoint(session: Any) -> dict[str, Any] | None:
    row = session.get(Setting, LAST_KEY)
    if row is None:
        return None
    try:
        value = json.loads(row.value)
    except ValueError:
        return None
    return value if isinstance(value, dict) and "seq" in value and "hash" in value else None


def _judge_checkpoint_signature(report: ChainReport, checked: CheckedCheckpoint) -> None:
    report.checkpoint = {
        **checked.checkpoint.to_dict(),
        "file": str(checked.path),
        "signature": checked.report.indication.value,
        "signer": checked.signer_name(),
    }
    if checked.report.indication in (Indication.TOTAL_FAILED, Indication.NO_SIGNATURE_FOUND):
        report.add(
            ChainProblem(
                checked.checkpoint.seq,
                "checkpoint",
                Msg(
                    "Chữ ký của điểm mốc {f} không hợp lệ: điểm mốc bị giả mạo hoặc bị sửa.",
                    "The signature of the checkpoint {f} is not valid: the checkpoint was forged or altered.",
                ).format(f=printable(checked.path.name)),
            )
        )
    elif checked.report.indication is not Indication.TOTAL_PASSED:
        report.checkpoint_indeterminate = True


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

    return lambda alert: notify_certificate_alert(alert)
