"""Summaries of the audit log, maintained on every append, that make reports fast.

A year of a million events is summarised by reading a few thousand summary rows instead
of scanning the log: per month and unit the event counts (:class:`AuditMonthly`), per
month the certificates that signed (:class:`AuditSigner`), and per document whether it
carries a personal and an organisation signature (:class:`AuditDocument`, with monthly
totals in :class:`AuditDocMonthly`).

Summaries are derived data: the hash chain protects the log itself, and
:func:`rebuild` recomputes every summary from it (``vbsign registry audit rebuild``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, bindparam, delete, select
from sqlalchemy.orm import Session

from vbsign.registry.models import (
    AuditDocMonthly,
    AuditDocument,
    AuditEventRow,
    AuditMonthly,
    AuditSigner,
    table_of,
)
from vbsign.registry.resolver import Resolver

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MASK_PERSON = 1
MASK_ORGANISATION = 2
BOTH = MASK_PERSON | MASK_ORGANISATION
#: event kinds whose documents are counted as outgoing documents
DOCUMENT_KINDS = ("sign", "send")


def local_day(t: datetime) -> date:
    return t.astimezone(VN_TZ).date()


def month_of(d: date) -> date:
    return d.replace(day=1)


@dataclass
class DocState:
    kind: str
    key: str
    first_day: date
    unit_id: int
    mask: int
    latest_sha256: str
    is_new: bool
    changed: bool = False


_UPSERTS: dict[tuple[str, str], Any] = {}
_LINEAGE = select(AuditDocument.document_key).where(
    AuditDocument.kind == "sign", AuditDocument.latest_sha256 == bindparam("sha")
)
_DOCS = select(
    AuditDocument.document_key, AuditDocument.first_day, AuditDocument.unit_id, AuditDocument.mask,
    AuditDocument.latest_sha256,
).where(AuditDocument.kind == bindparam("kind"), AuditDocument.document_key.in_(bindparam("keys", expanding=True)))


def _upsert(conn: Connection, model: Any, rows: list[dict[str, Any]], keys: Sequence[str], add: Sequence[str]) -> None:
    """INSERT … ON CONFLICT (keys) DO UPDATE adding ``add`` columns (SQLite and PostgreSQL)."""
    if not rows:
        return
    cache_key = (model.__tablename__, conn.dialect.name)
    stmt = _UPSERTS.get(cache_key)
    if stmt is None:
        table = table_of(model)
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            base: Any = pg_insert(table)
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            base = sqlite_insert(table)
        stmt = base.on_conflict_do_update(
            index_elements=list(keys), set_={c: table.c[c] + base.excluded[c] for c in add}
        )
        _UPSERTS[cache_key] = stmt
    conn.execute(stmt, rows)


class Documents:
    """Document states touched by one append transaction (loaded lazily, in bulk)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.by_key: dict[tuple[str, str], DocState] = {}
        self.by_sha: dict[str, str] = {}  # latest sha256 (sign lineage) -> document key

    def lineage(self, sha256: str) -> str | None:
        """The key of the signed document whose latest version has this hash."""
        if sha256 in self.by_sha:
            return self.by_sha[sha256]
        row = self.conn.execute(_LINEAGE, {"sha": sha256}).first()
        key = row[0] if row is not None else None
        if key is not None:
            self.by_sha[sha256] = key
        return key

    def load(self, keys: Iterable[tuple[str, str]]) -> None:
        missing = [k for k in set(keys) if k not in self.by_key]
        by_kind: dict[str, list[str]] = defaultdict(list)
        for kind, key in missing:
            by_kind[kind].append(key)
        for kind, doc_keys in by_kind.items():
            for i in range(0, len(doc_keys), 500):
                for key, first_day, unit_id, mask, latest in self.conn.execute(
                    _DOCS, {"kind": kind, "keys": doc_keys[i : i + 500]}
                ):
                    self.by_key[(kind, key)] = DocState(kind, key, first_day, unit_id, mask, latest, False)


def apply(conn: Connection, rows: Sequence[dict[str, Any]], docs: Documents) -> None:
    """Fold freshly appended event rows (as stored) into the summaries."""
    monthly: dict[tuple[date, int, str, str], int] = defaultdict(int)
    signers: dict[tuple[date, int], list[int]] = {}
    doc_delta: dict[tuple[date, int, str], list[int]] = defaultdict(lambda: [0, 0])
    docs.load((r["kind"], r["document_key"]) for r in rows if r["kind"] in DOCUMENT_KINDS)
    for r in rows:
        day = local_day(r["time"])
        month = month_of(day)
        unit = r["unit_id"] or 0
        monthly[(month, unit, r["kind"], r["verdict"] or "")] += 1
        if r["kind"] == "sign" and r["certificate_id"] is not None:
            entry = signers.setdefault((month, r["certificate_id"]), [r["_signer_unit"] or 0, r["subscriber_id"] or 0, 0])
            entry[2] += 1
        if r["kind"] in DOCUMENT_KINDS:
            _fold_document(docs, r, day, unit, doc_delta)
    _upsert(
        conn, AuditMonthly,
        [{"month": m, "unit_id": u, "kind": k, "verdict": v, "n": n} for (m, u, k, v), n in monthly.items()],
        ("month", "unit_id", "kind", "verdict"), ("n",),
    )
    _upsert(
        conn, AuditSigner,
        [{"month": m, "certificate_id": c, "unit_id": u, "subscriber_id": s, "n": n}
         for (m, c), (u, s, n) in signers.items()],
        ("month", "certificate_id"), ("n",),
    )
    new = [d for d in docs.by_key.values() if d.is_new and d.changed]
    upd = [d for d in docs.by_key.values() if not d.is_new and d.changed]
    if new:
        from sqlalchemy import insert

        conn.execute(
            insert(table_of(AuditDocument)),
            [{"kind": d.kind, "document_key": d.key, "first_day": d.first_day, "unit_id": d.unit_id, "mask": d.mask,
              "latest_sha256": d.latest_sha256} for d in new],
        )
    if upd:
        from sqlalchemy import bindparam, update

        t = table_of(AuditDocument)
        conn.execute(
            update(t)
            .where(t.c.kind == bindparam("k"), t.c.document_key == bindparam("key"))
            .values(unit_id=bindparam("u"), mask=bindparam("m"), latest_sha256=bindparam("h")),
            [{"k": d.kind, "key": d.key, "u": d.unit_id, "m": d.mask, "h": d.latest_sha256} for d in upd],
        )
    for d in docs.by_key.values():
        d.is_new = False
        d.changed = False
    _upsert(
        conn, AuditDocMonthly,
        [{"month": m, "unit_id": u, "kind": k, "docs": v[0], "both": v[1]} for (m, u, k), v in doc_delta.items()
         if v != [0, 0]],
        ("month", "unit_id", "kind"), ("docs", "both"),
    )


def _fold_document(
    docs: Documents, r: dict[str, Any], day: date, unit: int, delta: dict[tuple[date, int, str], list[int]]
) -> None:
    kind, key, mask = r["kind"], r["document_key"], r["signer_mask"]
    d = docs.by_key.get((kind, key))
    if d is None:
        d = DocState(kind, key, day, unit, mask, r["document_sha256"], True, True)
        docs.by_key[(kind, key)] = d
        delta[(month_of(day), unit, kind)][0] += 1
        if mask & BOTH == BOTH:
            delta[(month_of(day), unit, kind)][1] += 1
    else:
        was_both = d.mask & BOTH == BOTH
        old_unit = d.unit_id
        new_mask = d.mask | mask
        # the organisation (seal) signature decides whose document it is
        new_unit = unit if (mask & MASK_ORGANISATION and not d.mask & MASK_ORGANISATION and unit) else old_unit
        now_both = new_mask & BOTH == BOTH
        m = month_of(d.first_day)
        if new_unit != old_unit:
            delta[(m, old_unit, kind)][0] -= 1
            delta[(m, old_unit, kind)][1] -= 1 if was_both else 0
            delta[(m, new_unit, kind)][0] += 1
            delta[(m, new_unit, kind)][1] += 1 if now_both else 0
        elif now_both and not was_both:
            delta[(m, new_unit, kind)][1] += 1
        d.mask, d.unit_id = new_mask, new_unit
        d.latest_sha256 = r["document_sha256"]
        d.changed = True
    if kind == "sign":
        docs.by_sha[r["document_sha256"]] = key


def rebuild(session: Session, *, batch: int = 20000) -> int:
    """Recompute every summary from the audit log; returns the number of events read."""
    for model in (AuditMonthly, AuditSigner, AuditDocument, AuditDocMonthly):
        session.execute(delete(model))
    conn = session.connection()
    resolver = Resolver(conn)
    docs = Documents(conn)
    last, count = 0, 0
    while True:
        events = session.execute(
            select(AuditEventRow).where(AuditEventRow.seq > last).order_by(AuditEventRow.seq).limit(batch)
        ).scalars().all()
        if not events:
            return count
        rows = []
        for e in events:
            row = {c.key: getattr(e, c.key) for c in AuditEventRow.__table__.columns}
            signer = resolver.certificate(e.certificate_id)
            row["_signer_unit"] = signer.unit_id if signer is not None else None
            rows.append(row)
        apply(conn, rows, docs)
        count += len(events)
        last = events[-1].seq
        session.expunge_all()
