"""The append-only audit log, chained by hash.

Each record ``n`` stores ``prev_hash`` (the hash of record ``n-1``, or 64 zeros for the
first) and ``hash = SHA-256(canonical JSON of all its columns + prev_hash)``. The
single-row table ``audit_head`` holds the last sequence number and hash; writers lock it
(``SELECT … FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), so concurrent
processes append one after the other and the chain has no forks or gaps.

:func:`verify_chain` re-reads the log in order and names every record that was

* **edited** — its content no longer matches its hash;
* **rewritten** — edited and its hash recomputed: the next record's ``prev_hash`` no
  longer matches;
* **deleted** — a gap in the sequence numbers, or records missing after the last one
  (the head says more were written).

A missing head is itself a failure (deleting it used to let a truncated or wiped log pass
as an empty, intact one). This detects tampering by anyone who does not also rewrite every
later record and the head; signed checkpoints kept outside the database
(:mod:`.checkpoint`) close that gap: :func:`check_checkpoint` proves that nothing up to a
checkpoint was changed, whatever was done to the database afterwards.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

import vbsign.registry.rollups as rollups
from vbsign._core.i18n import Msg
from vbsign.model.events import AuditEvent
from vbsign.registry.checkpoint import Checkpoint
from vbsign.registry.models import (
    GENESIS_HASH,
    AuditEventRow,
    AuditHead,
    AuditInbox,
    table_of,
)
from vbsign.registry.resolver import Resolver, Signer, norm_fp
from vbsign.registry.rollups import MASK_ORGANISATION, MASK_PERSON, Documents

# statements of the append path, built once (building them costs more than running them)
_INBOX = table_of(AuditInbox)
_EVENTS = table_of(AuditEventRow)
_HEAD_LOCK = select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1).with_for_update()
_HEAD_SET = update(table_of(AuditHead)).where(table_of(AuditHead).c.id == 1).values(
    seq=bindparam("new_seq"), hash=bindparam("new_hash")
)
_INBOX_PUT = insert(_INBOX).values(payload=bindparam("payload")).returning(_INBOX.c.id)
_INBOX_WAITING = select(_INBOX.c.id).where(_INBOX.c.id <= bindparam("through")).limit(1)
_INBOX_HAS = select(_INBOX.c.id).where(_INBOX.c.id == bindparam("through"))
_INBOX_ALL = select(_INBOX.c.id, _INBOX.c.payload).order_by(_INBOX.c.id)
_INBOX_DROP = delete(_INBOX).where(_INBOX.c.id.in_(bindparam("ids", expanding=True)))
_EVENT_PUT = insert(_EVENTS)
#: the columns covered by a record's hash, in a fixed order
HASHED_COLUMNS: tuple[str, ...] = (
    "seq",
    "time",
    "kind",
    "document_sha256",
    "document_id",
    "document_name",
    "document_key",
    "verdict",
    "certificate_fingerprints",
    "signer_names",
    "unit_name",
    "unit_id",
    "subscriber_id",
    "certificate_id",
    "signer_mask",
    "details",
)

EVENT_KINDS = ("sign", "verify", "validate", "send", "receive")
#: verification problems reported individually (the rest are counted)
MAX_PROBLEMS = 200


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _time_text(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record_hash(values: dict[str, Any], prev_hash: str) -> str:
    """SHA-256 (hex) of a record's hashed columns and the previous record's hash."""
    payload = {k: values[k] for k in HASHED_COLUMNS}
    payload["time"] = _time_text(payload["time"])
    data = _json({"record": payload, "prev": prev_hash}).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _event_unit(kind: str, named: int | None, signers: Sequence[Signer], resolver: Resolver) -> int | None:
    """The unit an event is counted for.

    * verify / validate / receive: the unit named by the host (the one that checked the
      document); the signers usually belong to another agency;
    * send: the unit named by the host, else the seal's unit, else the first signer's;
    * sign: the signer's unit from the registry when it is the named unit or one of its
      sub-units (the default name is only the certificate's O), else the named unit.
    """
    signer_units = [s.unit_id for s in signers if s.unit_id is not None]
    org_units = [s.unit_id for s in signers if s.kind == "organisation" and s.unit_id is not None]
    if kind in ("verify", "validate", "receive"):
        return named
    if kind == "send":
        if named is not None:
            return named
        return (org_units or signer_units)[0] if (org_units or signer_units) else None
    if signer_units:
        mine = signer_units[0]
        if named is None or resolver.within(mine, named):
            return mine
    return named


def event_values(event: AuditEvent, seq: int, resolver: Resolver, docs: Documents) -> dict[str, Any]:
    """The stored columns of ``event`` (without the hashes), resolved against the registry."""
    signers = resolver.signers(event.certificate_fingerprints)
    mask = 0
    for s in signers:
        if s.kind == "person":
            mask |= MASK_PERSON
        elif s.kind == "organisation":
            mask |= MASK_ORGANISATION
    unit_id = _event_unit(event.kind, resolver.unit(event.unit), signers, resolver)
    first = signers[0] if signers else None
    time = event.time if event.time.tzinfo is not None else event.time.replace(tzinfo=UTC)
    sha = event.document_sha256.lower()
    key = event.document_id
    if not key:
        # follow the document through successive signatures: each signing event's input
        # is the previous event's output
        previous = (event.details or {}).get("input_sha256") if event.kind == "sign" else sha
        key = (docs.lineage(str(previous).lower()) if previous else None) or sha
    if event.kind == "sign":
        docs.by_sha[sha] = key
    return {
        "seq": seq,
        # microsecond precision is what both databases keep
        "time": time.astimezone(UTC),
        "kind": event.kind,
        "document_sha256": sha,
        "document_id": event.document_id,
        "document_name": event.document_name,
        "document_key": key[:200],
        "verdict": event.verdict,
        "certificate_fingerprints": _json([norm_fp(fp) for fp in event.certificate_fingerprints]),
        "signer_names": _json(list(event.signer_names)),
        "unit_name": event.unit,
        "unit_id": unit_id,
        "subscriber_id": first.subscriber_id if first else None,
        "certificate_id": first.certificate_id if first else None,
        "signer_mask": mask,
        "details": _json(event.details or {}),
    }


def event_to_json(event: AuditEvent) -> str:
    """An :class:`AuditEvent` as JSON (the waiting-queue payload)."""
    time = event.time if event.time.tzinfo is not None else event.time.replace(tzinfo=UTC)
    return _json(
        {
            "kind": event.kind,
            "document_sha256": event.document_sha256,
            "document_name": event.document_name,
            "document_id": event.document_id,
            "verdict": event.verdict,
            "certificate_fingerprints": list(event.certificate_fingerprints),
            "signer_names": list(event.signer_names),
            "unit": event.unit,
            "time": time.isoformat(),
            "details": event.details or {},
        }
    )


def event_from_json(text_: str) -> AuditEvent:
    d = json.loads(text_)
    return AuditEvent(
        kind=d["kind"],
        document_sha256=d["document_sha256"],
        document_name=d["document_name"],
        document_id=d["document_id"],
        verdict=d["verdict"],
        certificate_fingerprints=tuple(d["certificate_fingerprints"]),
        signer_names=tuple(d["signer_names"]),
        unit=d["unit"],
        time=datetime.fromisoformat(d["time"]),
        details=d["details"],
    )


def _lock_head(conn: Connection) -> tuple[int, str]:
    """Lock the chain head until the transaction ends (row lock on PostgreSQL; SQLite
    writers already hold the database write lock since ``BEGIN IMMEDIATE``)."""
    seq, digest = conn.execute(_HEAD_LOCK).one()
    return int(seq), str(digest)


def _append_locked(conn: Connection, head: tuple[int, str], events: Sequence[AuditEvent]) -> tuple[int, str, list[int]]:
    seq, prev = head
    resolver = Resolver(conn)
    resolver.prefetch(norm_fp(fp) for e in events for fp in e.certificate_fingerprints)
    docs = Documents(conn)
    rows: list[dict[str, Any]] = []
    for event in events:
        seq += 1
        values = event_values(event, seq, resolver, docs)
        digest = record_hash(values, prev)
        values["prev_hash"] = prev
        values["hash"] = digest
        rows.append(values)
        prev = digest
    for i in range(0, len(rows), 5000):
        # Core executemany: one statement for the batch (the ORM would insert row by row)
        conn.execute(_EVENT_PUT, rows[i : i + 5000])
    for r in rows:
        signer = resolver.certificate(r["certificate_id"])
        r["_signer_unit"] = signer.unit_id if signer is not None else None
    rollups.apply(conn, rows, docs)
    return seq, prev, [r["seq"] for r in rows]


def _set_head(conn: Connection, seq: int, digest: str) -> None:
    conn.execute(_HEAD_SET, {"new_seq": seq, "new_hash": digest})


def _seal_pending(conn: Connection, head: tuple[int, str]) -> tuple[tuple[int, str], int]:
    """Chain every waiting event (in queue order) under the already-held head lock."""
    pending = conn.execute(_INBOX_ALL).all()
    if not pending:
        return head, 0
    seq, digest, _ = _append_locked(conn, head, [event_from_json(p) for _, p in pending])
    # exactly the rows chained here: a row with a smaller id may have been committed by a
    # concurrent writer after the SELECT above (ids are taken at insert, not at commit)
    ids = [i for i, _ in pending]
    for k in range(0, len(ids), 500):
        conn.execute(_INBOX_DROP, {"ids": ids[k : k + 500]})
    return (seq, digest), len(pending)


def append_events(conn: Connection, events: Sequence[AuditEvent]) -> list[int]:
    """Append ``events`` in order (after any waiting ones) and update the summaries;
    returns their sequence numbers.

    Must run inside a write transaction (see :func:`vbsign.registry.db.writer`): the head
    is locked until the caller commits. Used for batches (imports, benchmarks); a sink
    recording one event at a time uses :func:`enqueue` + :func:`seal`.
    """
    if not events:
        return []
    head, _ = _seal_pending(conn, _lock_head(conn))
    seq, digest, seqs = _append_locked(conn, head, events)
    _set_head(conn, seq, digest)
    return seqs


def enqueue(conn: Connection, events: Sequence[AuditEvent]) -> int:
    """Queue ``events`` without taking the chain lock; returns the last queue id.

    Commit, then call :func:`seal` with that id: concurrent writers only contend for the
    short sealing step, and whoever seals first chains everybody's waiting events at once.
    """
    last = 0
    for e in events:
        last = int(conn.execute(_INBOX_PUT, {"payload": event_to_json(e)}).scalar_one())
    return last


def seal(conn: Connection, through: int | None = None) -> int:
    """Chain the waiting events (all of them) unless those up to queue id ``through`` were
    already chained by another writer; returns how many were chained here."""
    # a first look without the lock: while we were queueing, another writer holding the lock
    # has often chained our event already (queue rows are only removed by chaining), and
    # then we need not wait in line for the lock at all
    if through is not None and conn.execute(_INBOX_HAS, {"through": through}).first() is None:
        return 0
    head = _lock_head(conn)
    if through is not None and conn.execute(_INBOX_WAITING, {"through": through}).first() is None:
        return 0
    new_head, n = _seal_pending(conn, head)
    if n:
        _set_head(conn, *new_head)
    return n


def pending_count(conn: Connection) -> int:
    from sqlalchemy import func

    return int(conn.execute(select(func.count()).select_from(table_of(AuditInbox))).scalar_one())


# ---- verification --------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    #: "edited", "rewritten", "deleted", "head"
    kind: str
    message: Msg

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "kind": self.kind, "message_vi": self.message.vi, "message_en": self.message.en}


@dataclass
class ChainReport:
    records: int = 0
    last_seq: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    problems: list[ChainProblem] = field(default_factory=list)
    #: problems beyond :data:`MAX_PROBLEMS` (counted, not listed)
    more_problems: int = 0
    #: events queued but not chained yet (a writer stopped between its two steps; the
    #: next write chains them) — not a sign of tampering
    pending: int = 0

    #: the checkpoint the log was checked against (its content, file and signature)
    checkpoint: dict[str, Any] | None = None
    #: the checkpoint's signature could not be established (no trust anchor, no revocation
    #: data): the comparison was made, but who made the checkpoint is not proven
    checkpoint_indeterminate: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems and not self.more_problems

    def add(self, problem: ChainProblem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.more_problems += 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "records": self.records,
            "last_seq": self.last_seq,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "problems": [p.to_dict() for p in self.problems],
            "more_problems": self.more_problems,
            "pending": self.pending,
            "checkpoint": self.checkpoint,
            "checkpoint_indeterminate": self.checkpoint_indeterminate,
        }

    def summary(self) -> Msg:
        if self.ok:
            return Msg(
                "Nhật ký toàn vẹn: {n} bản ghi, chuỗi băm khớp (bản ghi cuối #{s}, băm {h}).",
                "Audit log intact: {n} records, hash chain verified (last record #{s}, hash {h}).",
            ).format(n=self.records, s=self.last_seq, h=self.head_hash[:16])
        return Msg(
            "Nhật ký KHÔNG toàn vẹn: {p} vấn đề trong {n} bản ghi.",
            "Audit log NOT intact: {p} problem(s) in {n} records.",
        ).format(p=len(self.problems) + self.more_problems, n=self.records)


def _describe(row: AuditEventRow) -> str:
    doc = row.document_id or (row.document_name or "") or row.document_sha256[:16]
    return f"#{row.seq} ({_time_text(row.time)[:19]}Z, {row.kind}, {doc})"


def _iter_rows(session: Session, batch: int, after: int = -1) -> Iterator[AuditEventRow]:
    last = after
    while True:
        rows = (
            session.execute(
                select(AuditEventRow).where(AuditEventRow.seq > last).order_by(AuditEventRow.seq).limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


def verify_chain(session: Session, *, batch: int = 5000, since: tuple[int, str] | None = None) -> ChainReport:
    """Check the whole log (see the module docstring); never modifies it.

    ``since=(seq, hash)`` checks only the records after ``seq``, chained from ``hash`` (a
    record already proven by a checkpoint): what automatic checkpoints use.
    """
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one_or_none()
    report = ChainReport()
    if head is None:
        report.add(
            ChainProblem(
                0,
                "head",
                Msg(
                    "Thiếu đầu chuỗi (bảng audit_head): không thể biết nhật ký có bị cắt bớt hay xóa sạch "
                    "hay không; đầu chuỗi đã bị xóa ngoài vbsign.",
                    "The chain head (table audit_head) is missing: whether the log was truncated or wiped "
                    "cannot be told; the head was deleted outside vbsign.",
                ),
            )
        )
    else:
        report.head_seq, report.head_hash = head.seq, head.hash
    prev_hash = GENESIS_HASH if since is None else since[1]
    prev_row_desc: str | None = None if since is None else f"#{since[0]}"
    expected = 1 if since is None else since[0] + 1
    report.last_seq = expected - 1
    for row in _iter_rows(session, batch, after=expected - 1):
        report.records += 1
        _check_record(report, row, expected, prev_hash, prev_row_desc)
        prev_hash = row.hash
        prev_row_desc = _describe(row)
        expected = row.seq + 1
        report.last_seq = row.seq
    if head is not None:
        _check_head(report, head, prev_hash, prev_row_desc)
    return report


def _check_record(
    report: ChainReport, row: AuditEventRow, expected: int, prev_hash: str, prev_row_desc: str | None
) -> None:
    """One record against its place in the chain: records missing before it, the record
    before it rewritten (its hash recomputed), or this record edited."""
    values = {c: getattr(row, c) for c in HASHED_COLUMNS}
    if row.seq > expected:
        first, last = expected, row.seq - 1
        span = f"#{first}" if first == last else f"#{first}–#{last}"
        report.add(
            ChainProblem(
                first,
                "deleted",
                Msg("Bản ghi {s} đã bị xóa (thiếu trong chuỗi).", "Record {s} was deleted (missing from the chain).").format(
                    s=span
                ),
            )
        )
    elif row.prev_hash != prev_hash and prev_row_desc is not None:
        report.add(
            ChainProblem(
                row.seq - 1,
                "rewritten",
                Msg(
                    "Bản ghi {d} đã bị sửa (băm được tính lại; chuỗi đứt tại #{n}).",
                    "Record {d} was modified (its hash was recomputed; the chain breaks at #{n}).",
                ).format(d=prev_row_desc, n=row.seq),
            )
        )
    if record_hash(values, row.prev_hash) != row.hash:
        report.add(
            ChainProblem(
                row.seq,
                "edited",
                Msg(
                    "Bản ghi {d} đã bị sửa (nội dung không khớp mã băm).",
                    "Record {d} was edited (its content does not match its hash).",
                ).format(d=_describe(row)),
            )
        )


def _check_head(report: ChainReport, head: AuditHead, prev_hash: str, prev_row_desc: str | None) -> None:
    """The chain head against the last record: records deleted at the end, the last
    record rewritten, or records added after the head outside vbsign."""
    if head.seq > report.last_seq:
        first, last = report.last_seq + 1, head.seq
        span = f"#{first}" if first == last else f"#{first}–#{last}"
        report.add(
            ChainProblem(
                first,
                "deleted",
                Msg(
                    "Bản ghi {s} ở cuối nhật ký đã bị xóa (đầu chuỗi ghi nhận #{h}).",
                    "Record {s} at the end of the log was deleted (the chain head records #{h}).",
                ).format(s=span, h=head.seq),
            )
        )
    elif head.seq == report.last_seq and head.hash != prev_hash:
        report.add(
            ChainProblem(
                report.last_seq,
                "rewritten",
                Msg(
                    "Bản ghi cuối {d} đã bị sửa (không khớp đầu chuỗi).",
                    "The last record {d} was modified (it does not match the chain head).",
                ).format(d=prev_row_desc or f"#{report.last_seq}"),
            )
        )
    elif head.seq < report.last_seq:
        report.add(
            ChainProblem(
                head.seq + 1,
                "head",
                Msg(
                    "Có bản ghi sau đầu chuỗi (#{h}): được thêm ngoài vbsign.",
                    "Records exist after the chain head (#{h}): added outside vbsign.",
                ).format(h=head.seq),
            )
        )


def check_checkpoint(session: Session, checkpoint: Checkpoint, log_id: str | None) -> list[ChainProblem]:
    """What a signed checkpoint says against the log: empty if record ``checkpoint.seq`` is
    still there with the signed hash (hence every record before it too)."""
    when = checkpoint.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    if log_id != checkpoint.log_id:
        return [
            ChainProblem(
                checkpoint.seq,
                "checkpoint",
                Msg(
                    "Điểm mốc ({t}) thuộc nhật ký {c}, nhật ký này là {l}: nhật ký đã bị thay thế "
                    "hoặc điểm mốc không phải của sổ này.",
                    "The checkpoint ({t}) belongs to log {c}, this log is {l}: the log was replaced, or the "
                    "checkpoint is not this registry's.",
                ).format(t=when, c=checkpoint.log_id[:8], l=(log_id or "—")[:8]),
            )
        ]
    if checkpoint.seq == 0 and checkpoint.hash == GENESIS_HASH:
        return []  # a checkpoint of the empty log anchors no record: every log extends it
    row = session.execute(select(AuditEventRow).where(AuditEventRow.seq == checkpoint.seq)).scalar_one_or_none()
    if row is None:
        return [
            ChainProblem(
                checkpoint.seq,
                "deleted",
                Msg(
                    "Bản ghi #{s} đã được điểm mốc có chữ ký ({t}) xác nhận nhưng không còn: nhật ký đã bị cắt "
                    "bớt hoặc xóa rồi ghi lại.",
                    "Record #{s}, anchored by the signed checkpoint of {t}, is missing: the log was truncated, "
                    "or wiped and started again.",
                ).format(s=checkpoint.seq, t=when),
            )
        ]
    if row.hash != checkpoint.hash:
        return [
            ChainProblem(
                checkpoint.seq,
                "rewritten",
                Msg(
                    "Bản ghi #{s} khác với điểm mốc có chữ ký ({t}): nhật ký đến bản ghi này đã bị viết lại.",
                    "Record #{s} differs from the signed checkpoint of {t}: the log up to it was rewritten.",
                ).format(s=checkpoint.seq, t=when),
            )
        ]
    return []
