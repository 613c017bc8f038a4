"""Waves, units, subscribers, training sessions and the holiday calendar."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select

from vbsign._core.i18n import Msg
from vbsign.registry.base import RegistryBase
from vbsign.registry.certinfo import normalise_uid
from vbsign.registry.errors import Duplicate, NotFound, RegistryError
from vbsign.registry.lookups import (
    subscriber_row,
    subscriber_view,
    training_view,
    unit_row,
    unit_view,
    wave_row,
)
from vbsign.registry.models import (
    Holiday,
    Subscriber,
    TrainingAttendance,
    TrainingSession,
    Unit,
    Wave,
)
from vbsign.registry.stats import _unit_tree
from vbsign.registry.views import HolidayView, SubscriberView, TrainingView, UnitView, WaveView
from vbsign.registry.workflow import SUBSCRIBER_KINDS


class DirectoryOps(RegistryBase):
    """Waves, units (a tree), subscribers, training and holidays."""

    def add_wave(
        self, number: int, name: str, *, starts_on: date | None = None, ends_on: date | None = None,
        description: str | None = None,
    ) -> WaveView:
        if starts_on and ends_on and ends_on < starts_on:
            raise RegistryError(Msg("Ngày kết thúc trước ngày bắt đầu.", "The end date is before the start date."))
        with self.writing() as s:
            if s.execute(select(Wave).where(Wave.number == number)).scalar_one_or_none() is not None:
                raise Duplicate(Msg("Đợt {n} đã có.", "Wave {n} already exists.").format(n=number))
            w = Wave(number=number, name=name, starts_on=starts_on, ends_on=ends_on, description=description)
            s.add(w)
            s.flush()
            return WaveView(w.id, w.number, w.name, w.starts_on, w.ends_on, w.description)

    def list_waves(self) -> list[WaveView]:
        with self.reading() as s:
            return [
                WaveView(w.id, w.number, w.name, w.starts_on, w.ends_on, w.description)
                for w in s.execute(select(Wave).order_by(Wave.number)).scalars()
            ]

    def add_unit(
        self,
        code: str,
        name: str,
        *,
        parent: str | None = None,
        wave: int | None = None,
        locality: str | None = None,
        requires_seal: bool = True,
    ) -> UnitView:
        code = code.strip()
        if not code or not name.strip():
            raise RegistryError(Msg("Mã và tên đơn vị không được để trống.", "Unit code and name are required."))
        with self.writing() as s:
            if s.execute(select(Unit).where(Unit.code == code)).scalar_one_or_none() is not None:
                raise Duplicate(Msg("Mã đơn vị {c} đã có.", "Unit code {c} already exists.").format(c=code))
            unit = Unit(
                code=code,
                name=name.strip(),
                parent_id=unit_row(s, parent).id if parent else None,
                wave_id=wave_row(s, wave).id if wave is not None else None,
                locality=locality,
                requires_seal=requires_seal,
                active=True,
            )
            s.add(unit)
            s.flush()
            return unit_view(s, unit)

    def update_unit(
        self,
        code: str,
        *,
        name: str | None = None,
        parent: str | None = None,
        wave: int | None = None,
        requires_seal: bool | None = None,
        active: bool | None = None,
    ) -> UnitView:
        with self.writing() as s:
            unit = unit_row(s, code)
            if name:
                unit.name = name
            if parent is not None:
                new_parent = unit_row(s, parent)
                cur: Unit | None = new_parent
                while cur is not None:
                    if cur.id == unit.id:
                        raise RegistryError(
                            Msg("Không thể đặt {p} làm đơn vị cấp trên của {c}: tạo vòng lặp.",
                                "{p} cannot be the parent of {c}: that makes a cycle.").format(p=parent, c=code)
                        )
                    cur = s.get(Unit, cur.parent_id) if cur.parent_id is not None else None
                unit.parent_id = new_parent.id
            if wave is not None:
                unit.wave_id = wave_row(s, wave).id
            if requires_seal is not None:
                unit.requires_seal = requires_seal
            if active is not None:
                unit.active = active
            s.flush()
            return unit_view(s, unit)

    def list_units(self) -> list[UnitView]:
        """Units in tree order (each parent before its children)."""

        with self.reading() as s:
            tree, _ = _unit_tree(s)
            waves = {w.id: w.number for w in s.execute(select(Wave)).scalars()}
            codes = {u.id: u.code for u, _ in tree}
            return [
                UnitView(
                    u.id, u.code, u.name, codes.get(u.parent_id) if u.parent_id else None,
                    waves.get(u.wave_id) if u.wave_id else None, u.locality, u.requires_seal, u.active, depth,
                )
                for u, depth in tree
            ]

    def unit(self, code: str) -> UnitView:
        with self.reading() as s:
            return unit_view(s, unit_row(s, code))

    def add_subscriber(
        self,
        full_name: str,
        unit: str,
        *,
        kind: str = "person",
        title: str | None = None,
        uid: str | None = None,
        email: str | None = None,
        phone: str | None = None,
    ) -> SubscriberView:
        if kind not in SUBSCRIBER_KINDS:
            raise RegistryError(
                Msg("Loại thuê bao không hợp lệ: {k} (person, organisation, device).",
                    "Unknown subscriber kind: {k} (person, organisation, device).").format(k=kind)
            )
        if not full_name.strip():
            raise RegistryError(Msg("Họ tên thuê bao không được để trống.", "The subscriber name is required."))
        uid = normalise_uid(uid)
        with self.writing() as s:
            u = unit_row(s, unit)
            if uid and s.execute(select(Subscriber).where(Subscriber.uid == uid)).scalar_one_or_none():
                raise Duplicate(Msg("Đã có thuê bao với số định danh {i}.", "A subscriber with identifier {i} exists.").format(i=uid))
            if kind == "organisation":
                existing = s.execute(
                    select(Subscriber).where(
                        Subscriber.unit_id == u.id, Subscriber.kind == "organisation", Subscriber.active.is_(True)
                    )
                ).scalar_one_or_none()
                if existing is not None:
                    raise Duplicate(
                        Msg("Đơn vị {c} đã có thuê bao cơ quan (#{i}).", "Unit {c} already has an organisation subscriber (#{i}).").format(
                            c=u.code, i=existing.id
                        )
                    )
            sub = Subscriber(
                kind=kind, full_name=full_name.strip(), title=title, unit_id=u.id, uid=uid,
                email=email, phone=phone, active=True,
            )
            s.add(sub)
            s.flush()
            return subscriber_view(sub, u)

    def deactivate_subscriber(self, subscriber_id: int) -> SubscriberView:
        """Mark a subscriber as gone (retired, left the state sector); history is kept."""
        with self.writing() as s:
            sub = subscriber_row(s, subscriber_id)
            sub.active = False
            return subscriber_view(sub, s.get(Unit, sub.unit_id))

    def list_subscribers(
        self, *, unit: str | None = None, kind: str | None = None, include_inactive: bool = False
    ) -> list[SubscriberView]:
        with self.reading() as s:
            q = select(Subscriber, Unit).join(Unit, Unit.id == Subscriber.unit_id)
            if unit:
                q = q.where(Subscriber.unit_id == unit_row(s, unit).id)
            if kind:
                q = q.where(Subscriber.kind == kind)
            if not include_inactive:
                q = q.where(Subscriber.active.is_(True))
            return [subscriber_view(sub, u) for sub, u in s.execute(q.order_by(Unit.code, Subscriber.full_name)).all()]

    def subscriber(self, subscriber_id: int) -> SubscriberView:
        with self.reading() as s:
            sub = subscriber_row(s, subscriber_id)
            return subscriber_view(sub, s.get(Unit, sub.unit_id))

    # ---- training ----------------------------------------------------------------------
    def add_training(
        self,
        title: str,
        held_on: date,
        *,
        location: str | None = None,
        wave: int | None = None,
        audience: str | None = None,
        attendees: Iterable[int] = (),
    ) -> TrainingView:
        with self.writing() as s:
            t = TrainingSession(
                title=title, held_on=held_on, location=location,
                wave_id=wave_row(s, wave).id if wave is not None else None, audience=audience,
            )
            s.add(t)
            s.flush()
            for sid in set(attendees):
                s.add(TrainingAttendance(session_id=t.id, subscriber_id=subscriber_row(s, sid).id))
            s.flush()
            return training_view(s, t)

    def add_attendees(self, session_id: int, subscriber_ids: Iterable[int]) -> TrainingView:
        with self.writing() as s:
            t = s.get(TrainingSession, session_id)
            if t is None:
                raise NotFound(Msg("Không có lớp tập huấn #{i}.", "No training session #{i}.").format(i=session_id))
            present = set(
                s.execute(select(TrainingAttendance.subscriber_id).where(TrainingAttendance.session_id == t.id)).scalars()
            )
            for sid in set(subscriber_ids) - present:
                s.add(TrainingAttendance(session_id=t.id, subscriber_id=subscriber_row(s, sid).id))
            s.flush()
            return training_view(s, t)

    def list_training(self) -> list[TrainingView]:
        with self.reading() as s:
            return [
                training_view(s, t)
                for t in s.execute(select(TrainingSession).order_by(TrainingSession.held_on, TrainingSession.id)).scalars()
            ]

    # ---- holidays ------------------------------------------------------------------------
    def add_holiday(self, day: date, name: str, *, kind: str = "holiday") -> HolidayView:
        """A day off (``kind="holiday"``) or a weekend day worked (``kind="workday"``)."""
        if kind not in ("holiday", "workday"):
            raise RegistryError(Msg("Loại ngày phải là holiday hoặc workday.", "Kind must be holiday or workday."))
        with self.writing() as s:
            row = s.get(Holiday, day)
            if row is None:
                row = Holiday(day=day, name=name, kind=kind)
                s.add(row)
            else:
                row.name, row.kind = name, kind
            return HolidayView(row.day, row.name, row.kind)

    def remove_holiday(self, day: date) -> None:
        with self.writing() as s:
            row = s.get(Holiday, day)
            if row is None:
                raise NotFound(Msg("Ngày {d} không có trong lịch.", "{d} is not in the calendar.").format(d=day.isoformat()))
            s.delete(row)

    def list_holidays(self, year: int | None = None) -> list[HolidayView]:
        with self.reading() as s:
            q = select(Holiday).order_by(Holiday.day)
            if year is not None:
                q = q.where(Holiday.day >= date(year, 1, 1), Holiday.day <= date(year, 12, 31))
            return [HolidayView(h.day, h.name, h.kind) for h in s.execute(q).scalars()]

