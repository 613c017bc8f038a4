"""Usage monitoring and year-end evaluation figures (database reads only, no rendering).

Per unit and period:

* **signed** — signing events; **verified** — verification/validation events, of which
  **failed** (TOTAL-FAILED) and **indeterminate** (INDETERMINATE);
* **outgoing** — documents (the host's document id, else the document followed from
  signature to signature by hash), taken from ``send`` events when the host records them
  (:mod:`vbsign.host`), else from ``sign`` events; each document is counted once, for the
  unit whose organisation (seal) certificate signed it, else the unit of its first event;
  **with both signatures** — documents carrying a personal *and* an organisation (seal)
  signature, the pair Decree 30/2020 requires on an outgoing official document;
* **certificates issued** — its subscribers' certificates valid at some time in the
  period — and **active** — those that signed at least once in it;
* **wave progress** — subscribers of each rollout wave's units: registered → issued →
  handed over → trained → actively signing.

Whole-month periods read the summaries kept by :mod:`.rollups` (a year of a million
events is summarised from a few thousand rows, see ``benchmarks/bench_registry.py``);
other ranges are computed from the audit log itself.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from vbsign._core.i18n import Msg
from vbsign.registry.alerts import utc
from vbsign.registry.models import (
    AuditDocMonthly,
    AuditDocument,
    AuditEventRow,
    AuditHead,
    AuditMonthly,
    AuditSigner,
    Certificate,
    CertRequest,
    Handover,
    Subscriber,
    Token,
    TrainingAttendance,
    TrainingSession,
    Unit,
    Wave,
)
from vbsign.registry.numfmt import Pct, msg, pct
from vbsign.registry.periods import Period
from vbsign.registry.rollups import BOTH

VERIFY_KINDS = ("verify", "validate")
_ONE_DAY = timedelta(days=1)


@dataclass
class UnitUsage:
    unit_id: int | None
    code: str
    name: str
    depth: int = 0
    wave: int | None = None
    signed: int = 0
    verified: int = 0
    failed: int = 0
    indeterminate: int = 0
    outgoing: int = 0
    outgoing_both: int = 0
    certificates_issued: int = 0
    certificates_active: int = 0
    subscribers: int = 0

    @property
    def share_both(self) -> float | None:
        return self.outgoing_both / self.outgoing if self.outgoing else None

    @property
    def active_share(self) -> float | None:
        return self.certificates_active / self.certificates_issued if self.certificates_issued else None

    def add(self, other: UnitUsage) -> None:
        for name in (
            "signed", "verified", "failed", "indeterminate", "outgoing", "outgoing_both",
            "certificates_issued", "certificates_active", "subscribers",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["share_both"] = self.share_both
        d["active_share"] = self.active_share
        return d


@dataclass
class WaveProgress:
    number: int
    name: str
    starts_on: date | None
    ends_on: date | None
    units: list[str] = field(default_factory=list)
    registered: int = 0
    issued: int = 0
    handed_over: int = 0
    trained: int = 0
    active: int = 0

    STAGES = ("registered", "issued", "handed_over", "trained", "active")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["starts_on"] = self.starts_on.isoformat() if self.starts_on else None
        d["ends_on"] = self.ends_on.isoformat() if self.ends_on else None
        return d


@dataclass
class TrendPoint:
    label: str
    start: date
    end: date
    signed: int = 0
    verified: int = 0
    failed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label, "start": self.start.isoformat(), "end": self.end.isoformat(),
            "signed": self.signed, "verified": self.verified, "failed": self.failed,
        }


@dataclass
class UsageReport:
    kind: str  # "usage" or "year-end"
    period: Period
    generated_at: datetime
    settings: dict[str, str]
    units: list[UnitUsage]
    totals: UnitUsage
    waves: list[WaveProgress]
    trend: list[TrendPoint]
    audit_head_seq: int
    audit_head_hash: str
    evaluation: list[Msg] = field(default_factory=list)
    #: certificates expiring during the 12 months after the period (to plan renewals)
    expiring_next: int = 0
    #: "send" when outgoing documents are counted from send events, else "sign"
    outgoing_basis: str = "sign"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "period": self.period.to_dict(),
            "generated_at": self.generated_at.isoformat(),
            "settings": self.settings,
            "units": [u.to_dict() for u in self.units],
            "totals": self.totals.to_dict(),
            "waves": [w.to_dict() for w in self.waves],
            "trend": [p.to_dict() for p in self.trend],
            "audit_head": {"seq": self.audit_head_seq, "hash": self.audit_head_hash},
            "evaluation": [{"vi": m.vi, "en": m.en} for m in self.evaluation],
            "expiring_next": self.expiring_next,
            "outgoing_basis": self.outgoing_basis,
        }


def _in_period(start: datetime, end: datetime) -> Any:
    return and_(AuditEventRow.time >= start, AuditEventRow.time < end)


def _unit_tree(session: Session) -> tuple[list[tuple[Unit, int]], dict[int, int | None]]:
    """Units in tree order with their depth, and each unit's effective wave id."""
    units = list(session.execute(select(Unit).order_by(Unit.code)).scalars())
    children: dict[int | None, list[Unit]] = {}
    ids = {u.id for u in units}
    for u in units:
        parent = u.parent_id if u.parent_id in ids else None
        children.setdefault(parent, []).append(u)
    ordered: list[tuple[Unit, int]] = []
    wave_of: dict[int, int | None] = {}

    def walk(parent: int | None, depth: int, inherited: int | None) -> None:
        for u in children.get(parent, []):
            wave = u.wave_id if u.wave_id is not None else inherited
            wave_of[u.id] = wave
            ordered.append((u, depth))
            if depth < 50:
                walk(u.id, depth + 1, wave)

    walk(None, 0, None)
    return ordered, wave_of


class _Source:
    """Where the figures come from: the monthly summaries when the period is whole months
    (year, half, quarter, month), else the audit log itself (short custom ranges)."""

    def __init__(self, session: Session, period: Period) -> None:
        # Core rows (no ORM result processing): these queries return plain columns
        self.s = session.connection()
        self.period = period
        self.start, self.end = period.start_utc, period.end_utc
        self.m0, self.m1 = period.start.replace(day=1), period.end.replace(day=1)
        self.summaries = period.start.day == 1 and (period.end + _ONE_DAY).day == 1

    def event_counts(self) -> list[tuple[int | None, str, str | None, int]]:
        if self.summaries:
            rows = self.s.execute(
                select(AuditMonthly.unit_id, AuditMonthly.kind, AuditMonthly.verdict, func.sum(AuditMonthly.n))
                .where(
                    AuditMonthly.month >= self.m0,
                    AuditMonthly.month <= self.m1,
                    AuditMonthly.kind.in_(("sign", *VERIFY_KINDS)),
                )
                .group_by(AuditMonthly.unit_id, AuditMonthly.kind, AuditMonthly.verdict)
            ).all()
            return [(u or None, k, v or None, int(n)) for u, k, v, n in rows]
        return [
            (u, k, v, int(n))
            for u, k, v, n in self.s.execute(
                select(AuditEventRow.unit_id, AuditEventRow.kind, AuditEventRow.verdict, func.count())
                .where(AuditEventRow.kind.in_(("sign", *VERIFY_KINDS)), _in_period(self.start, self.end))
                .group_by(AuditEventRow.unit_id, AuditEventRow.kind, AuditEventRow.verdict)
            ).all()
        ]

    def outgoing_basis(self) -> str:
        """``send`` if the host records send events in the period, else ``sign``."""
        any_send = self.s.execute(
            select(AuditDocument.kind)
            .where(
                AuditDocument.kind == "send",
                AuditDocument.first_day >= self.period.start,
                AuditDocument.first_day <= self.period.end,
            )
            .limit(1)
        ).first()
        return "send" if any_send is not None else "sign"

    def documents(self, kind: str) -> list[tuple[int | None, int, int]]:
        """Per unit: documents and those carrying both a personal and an organisation signature."""
        if self.summaries:
            rows = self.s.execute(
                select(AuditDocMonthly.unit_id, func.sum(AuditDocMonthly.docs), func.sum(AuditDocMonthly.both))
                .where(
                    AuditDocMonthly.kind == kind,
                    AuditDocMonthly.month >= self.m0,
                    AuditDocMonthly.month <= self.m1,
                )
                .group_by(AuditDocMonthly.unit_id)
            ).all()
        else:
            both = case((AuditDocument.mask.op("&")(BOTH) == BOTH, 1), else_=0)
            rows = self.s.execute(
                select(AuditDocument.unit_id, func.count(), func.sum(both))
                .where(
                    AuditDocument.kind == kind,
                    AuditDocument.first_day >= self.period.start,
                    AuditDocument.first_day <= self.period.end,
                )
                .group_by(AuditDocument.unit_id)
            ).all()
        return [(u or None, int(n or 0), int(b or 0)) for u, n, b in rows]

    def active_certificates(self) -> list[tuple[int | None, int]]:
        """Per unit of the holder: certificates that signed at least once."""
        if self.summaries:
            rows = self.s.execute(
                select(AuditSigner.unit_id, func.count(func.distinct(AuditSigner.certificate_id)))
                .where(AuditSigner.month >= self.m0, AuditSigner.month <= self.m1)
                .group_by(AuditSigner.unit_id)
            ).all()
            return [(u or None, int(n)) for u, n in rows]
        return [
            (u, int(n))
            for u, n in self.s.execute(
                select(Subscriber.unit_id, func.count(func.distinct(AuditEventRow.certificate_id)))
                .join(Certificate, Certificate.id == AuditEventRow.certificate_id)
                .join(Subscriber, Subscriber.id == Certificate.subscriber_id)
                .where(AuditEventRow.kind == "sign", _in_period(self.start, self.end))
                .group_by(Subscriber.unit_id)
            ).all()
        ]

    def active_subscribers(self) -> Any:
        """A query of the subscribers who signed in the period."""
        if self.summaries:
            return select(AuditSigner.subscriber_id).where(
                AuditSigner.month >= self.m0, AuditSigner.month <= self.m1, AuditSigner.subscriber_id != 0
            )
        return select(AuditEventRow.subscriber_id).where(
            AuditEventRow.kind == "sign",
            _in_period(self.start, self.end),
            AuditEventRow.subscriber_id.is_not(None),
        )

    def trend(self) -> list[TrendPoint]:
        points = [TrendPoint(label, first, last) for label, first, last in self.period.buckets()]
        monthly = bool(points) and points[0].start != points[0].end
        if self.summaries and monthly:
            by_month = {p.start: p for p in points}
            for month, ev_kind, verdict, n in self.s.execute(
                select(AuditMonthly.month, AuditMonthly.kind, AuditMonthly.verdict, func.sum(AuditMonthly.n))
                .where(
                    AuditMonthly.month >= self.m0,
                    AuditMonthly.month <= self.m1,
                    AuditMonthly.kind.in_(("sign", *VERIFY_KINDS)),
                )
                .group_by(AuditMonthly.month, AuditMonthly.kind, AuditMonthly.verdict)
            ).all():
                if month in by_month:
                    _count(by_month[month], ev_kind, verdict or None, int(n))
            return points
        for p in points:
            for day_kind, day_verdict, n in self.s.execute(
                select(AuditEventRow.kind, AuditEventRow.verdict, func.count())
                .where(
                    AuditEventRow.kind.in_(("sign", *VERIFY_KINDS)),
                    _in_period(utc(p.start), utc(p.end) + _ONE_DAY),
                )
                .group_by(AuditEventRow.kind, AuditEventRow.verdict)
            ).all():
                _count(p, day_kind, day_verdict, int(n))
        return points


def _count(target: UnitUsage | TrendPoint, ev_kind: str, verdict: str | None, n: int) -> None:
    if ev_kind == "sign":
        target.signed += n
        return
    target.verified += n
    if verdict == "TOTAL-FAILED":
        target.failed += n
    elif verdict == "INDETERMINATE" and isinstance(target, UnitUsage):
        target.indeterminate += n


def compute_usage(
    session: Session,
    period: Period,
    *,
    kind: str = "usage",
    settings: dict[str, str] | None = None,
    generated_at: datetime,
) -> UsageReport:
    start, end = period.start_utc, period.end_utc
    src = _Source(session, period)
    tree, wave_of = _unit_tree(session)
    waves = {w.id: w for w in session.execute(select(Wave)).scalars()}
    usage: dict[int | None, UnitUsage] = {}
    for unit, depth in tree:
        w = wave_of.get(unit.id)
        usage[unit.id] = UnitUsage(unit.id, unit.code, unit.name, depth, waves[w].number if w in waves else None)

    def row_for(unit_id: int | None) -> UnitUsage:
        if unit_id not in usage:
            usage[unit_id] = UnitUsage(None, "?", Msg("(Chưa xác định đơn vị)", "(Unknown unit)").get(), 0, None)
        return usage[unit_id]

    for unit_id, ev_kind, verdict, n in src.event_counts():
        _count(row_for(unit_id), ev_kind, verdict, n)
    basis = src.outgoing_basis()
    for unit_id, n, both in src.documents(basis):
        u = row_for(unit_id)
        u.outgoing += n
        u.outgoing_both += both
    # certificates: issued (valid at some time in the period) and active (signed in it)
    conn = session.connection()
    for unit_id, n in conn.execute(
        select(Subscriber.unit_id, func.count(Certificate.id))
        .join(Subscriber, Subscriber.id == Certificate.subscriber_id)
        .where(Certificate.is_ca.is_(False), Certificate.not_before < end, Certificate.not_after >= start)
        .group_by(Subscriber.unit_id)
    ).all():
        row_for(unit_id).certificates_issued = n
    for unit_id, n in src.active_certificates():
        row_for(unit_id).certificates_active += n
    for unit_id, n in conn.execute(
        select(Subscriber.unit_id, func.count()).where(Subscriber.active.is_(True)).group_by(Subscriber.unit_id)
    ).all():
        row_for(unit_id).subscribers = n

    units = [usage[u.id] for u, _ in tree]
    if None in usage and (usage[None].signed or usage[None].verified or usage[None].outgoing):
        units.append(usage[None])
    totals = UnitUsage(None, "TOTAL", Msg("Tổng cộng", "Total").get())
    for u in units:
        totals.add(u)

    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
    report = UsageReport(
        kind=kind,
        period=period,
        generated_at=generated_at,
        settings=dict(settings or {}),
        units=units,
        totals=totals,
        waves=_wave_progress(session, tree, wave_of, waves, period, src.active_subscribers()),
        trend=src.trend(),
        audit_head_seq=head.seq,
        audit_head_hash=head.hash,
        outgoing_basis=basis,
    )
    report.expiring_next = conn.execute(
        select(func.count(Certificate.id)).where(
            Certificate.is_ca.is_(False),
            Certificate.status == "active",
            Certificate.not_after >= end,
            Certificate.not_after < utc(date(period.end.year + 1, period.end.month, min(period.end.day, 28))),
        )
    ).scalar_one()
    if kind == "year-end":
        report.evaluation = evaluate(report)
    return report


def _wave_progress(
    session: Session,
    tree: list[tuple[Unit, int]],
    wave_of: dict[int, int | None],
    waves: dict[int, Wave],
    period: Period,
    active: Any,
) -> list[WaveProgress]:
    """Subscribers of each wave's units at each stage, counted per unit in one SQL pass
    (uncorrelated ``IN`` subqueries: each set is built once, not per subscriber)."""
    end = period.end_utc
    issued = select(Certificate.subscriber_id).where(Certificate.is_ca.is_(False), Certificate.not_before < end)
    requested = select(CertRequest.subscriber_id).where(
        CertRequest.kind.in_(("new_person", "new_agency", "new_device")),
        CertRequest.status.not_in(("cancelled", "rejected")),
        CertRequest.created_on <= period.end,
    )
    handed_to = select(Handover.to_subscriber_id).where(
        Handover.handed_on <= period.end, Handover.reason.in_(("issue", "custody"))
    )
    handed_owner = (
        select(Token.owner_subscriber_id)
        .join(Handover, Handover.token_id == Token.id)
        .where(Handover.handed_on <= period.end, Handover.reason == "issue")
    )
    trained = (
        select(TrainingAttendance.subscriber_id)
        .join(TrainingSession, TrainingSession.id == TrainingAttendance.session_id)
        .where(TrainingSession.held_on <= period.end)
    )
    # an organisation counts as trained when the person holding its token was trained
    trained_org = select(Token.owner_subscriber_id).where(Token.holder_subscriber_id.in_(trained))

    def flag(cond: Any) -> Any:
        return func.sum(case((cond, 1), else_=0))

    sid = Subscriber.id
    rows = session.connection().execute(
        select(
            Subscriber.unit_id,
            flag(sid.in_(issued) | sid.in_(requested)),
            flag(sid.in_(issued)),
            flag(sid.in_(handed_to) | sid.in_(handed_owner)),
            flag(sid.in_(trained) | ((Subscriber.kind == "organisation") & sid.in_(trained_org))),
            flag(sid.in_(active)),
        )
        .where(Subscriber.active.is_(True))
        .group_by(Subscriber.unit_id)
    ).all()
    by_wave: dict[int, WaveProgress] = {
        w.id: WaveProgress(w.number, w.name, w.starts_on, w.ends_on) for w in sorted(waves.values(), key=lambda w: w.number)
    }
    for unit, _ in tree:
        w = wave_of.get(unit.id)
        if w in by_wave:
            by_wave[w].units.append(unit.code)
    for unit_id, registered, n_issued, handed, n_trained, n_active in rows:
        w = wave_of.get(unit_id)
        if w not in by_wave:
            continue
        wp = by_wave[w]
        wp.registered += int(registered or 0)
        wp.issued += int(n_issued or 0)
        wp.handed_over += int(handed or 0)
        wp.trained += int(n_trained or 0)
        wp.active += int(n_active or 0)
    return list(by_wave.values())


#: names listed in one finding of the evaluation (the tables list every unit)
MAX_NAMED = 15


def _some(names: list[str], lang: str) -> str:
    if len(names) <= MAX_NAMED:
        return "; ".join(names)
    more = len(names) - MAX_NAMED
    tail = f"và {more} đơn vị khác" if lang == "vi" else f"and {more} more"
    return "; ".join(names[:MAX_NAMED]) + f"; {tail}"


def evaluate(report: UsageReport) -> list[Msg]:
    """Findings for the year-end evaluation (đánh giá), most important first."""
    t = report.totals
    agency = report.settings.get("agency")
    out = [
        msg(
            "Trong kỳ, {a} đã ký số {s} lượt, kiểm tra chữ ký {v} lượt ({f} không hợp lệ, {i} chưa xác định); "
            "{o} văn bản đi, trong đó {b} ({p}) có đủ chữ ký cá nhân và chữ ký cơ quan.",
            "During the period, {a} signed {s} times and verified {v} signatures ({f} invalid, {i} indeterminate); "
            "{o} outgoing documents, {b} of them ({p}) with both the personal and the agency signature.",
            a=Msg(agency, agency) if agency else Msg("các đơn vị", "the units"),
            s=t.signed, v=t.verified, f=t.failed, i=t.indeterminate, o=t.outgoing, b=t.outgoing_both,
            p=Pct(t.share_both),
        ),
        msg(
            "Chứng thư số còn hiệu lực trong kỳ: {n}; đã dùng để ký: {a} ({p}).",
            "Certificates valid during the period: {n}; used to sign: {a} ({p}).",
            n=t.certificates_issued, a=t.certificates_active, p=Pct(t.active_share),
        ),
    ]
    missing_both = [u for u in report.units if u.outgoing and u.share_both is not None and u.share_both < 1.0]
    if missing_both:
        out.append(
            Msg(
                "Đơn vị có văn bản đi thiếu chữ ký cá nhân hoặc chữ ký cơ quan: {l}.",
                "Units with outgoing documents lacking the personal or the agency signature: {l_en}.",
            ).format(
                l=_some([f"{u.name} ({pct(u.share_both, 'vi')})" for u in missing_both], "vi"),
                l_en=_some([f"{u.name} ({pct(u.share_both, 'en')})" for u in missing_both], "en"),
            )
        )
    idle = [u for u in report.units if u.certificates_issued and not u.certificates_active]
    if idle:
        out.append(
            Msg(
                "Đơn vị đã được cấp chứng thư số nhưng chưa ký số văn bản nào: {l}.",
                "Units holding certificates that signed nothing: {l_en}.",
            ).format(l=_some([u.name for u in idle], "vi"), l_en=_some([u.name for u in idle], "en"))
        )
    for w in report.waves:
        if w.registered:
            out.append(
                msg(
                    "Đợt {n} ({name}): {r} thuê bao đăng ký, {i} được cấp, {h} đã bàn giao, {tr} đã tập huấn, "
                    "{a} đang ký số ({p}).",
                    "Wave {n} ({name}): {r} subscribers registered, {i} issued, {h} handed over, {tr} trained, "
                    "{a} actively signing ({p}).",
                    n=w.number, name=w.name, r=w.registered, i=w.issued, h=w.handed_over, tr=w.trained, a=w.active,
                    p=Pct(w.active / w.registered),
                )
            )
    if report.expiring_next:
        out.append(
            msg(
                "{n} chứng thư số sẽ hết hạn trong 12 tháng tới: cần lập kế hoạch gia hạn.",
                "{n} certificates expire within the next 12 months: plan their renewal.",
                n=report.expiring_next,
            )
        )
    return out
