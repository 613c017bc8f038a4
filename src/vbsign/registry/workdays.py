"""Working days: weekends, public holidays and make-up working days (pure, no I/O).

Deadlines such as "recover the key device within 05 working days of the revocation
notice" (NĐ 68/2024 as applied by QĐ 165/2025/QĐ-UBND Đ10 k6 c) count working days:
Monday to Friday, minus public holidays, plus the Saturdays/Sundays the Government
declares as working days in exchange for a bridge holiday (ngày làm bù).

Only the solar-calendar holidays of the Labour Code 2019 (Điều 112) are built in:
01/01, 30/04, 01/05 and 02/09. The others — Tết Nguyên đán (5 days), Giỗ Tổ Hùng Vương
(10/3 lunar), the second National Day holiday, bridge days and make-up days — move every
year and are fixed by the Prime Minister's annual announcement; the registry stores them
(``vbsign registry holiday add``) and :class:`HolidayCalendar` takes them as data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from vbsign._core.i18n import Msg

#: (month, day) -> name of the fixed solar holidays (Bộ luật Lao động 2019, Điều 112)
FIXED_HOLIDAYS: dict[tuple[int, int], Msg] = {
    (1, 1): Msg("Tết Dương lịch", "New Year's Day"),
    (4, 30): Msg("Ngày Chiến thắng", "Reunification Day"),
    (5, 1): Msg("Ngày Quốc tế lao động", "International Labour Day"),
    (9, 2): Msg("Quốc khánh", "National Day"),
}

#: the deadline for recovering a key device after a revocation notice
TOKEN_RECOVERY_WORKING_DAYS = 5


@dataclass(frozen=True)
class HolidayCalendar:
    """Which days are working days.

    ``holidays``: extra days off (date -> name); ``workdays``: weekend days that are worked;
    ``fixed``: whether the built-in solar holidays apply.
    """

    holidays: Mapping[date, str] = field(default_factory=dict)
    workdays: frozenset[date] = frozenset()
    fixed: bool = True

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[date, str, str]], *, fixed: bool = True) -> HolidayCalendar:
        """From ``(day, name, kind)`` rows, ``kind`` being "holiday" or "workday"."""
        holidays: dict[date, str] = {}
        workdays: set[date] = set()
        for day, name, kind in rows:
            if kind == "workday":
                workdays.add(day)
            else:
                holidays[day] = name
        return cls(holidays, frozenset(workdays), fixed)

    def holiday_name(self, day: date) -> str | None:
        if day in self.holidays:
            return self.holidays[day]
        if self.fixed and (day.month, day.day) in FIXED_HOLIDAYS:
            return FIXED_HOLIDAYS[(day.month, day.day)].get()
        return None

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day.weekday() >= 5:
            return False
        return self.holiday_name(day) is None

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (``start`` itself is not counted).

        A notice received on Thursday 04/06/2026 with n=5 is due on Thursday 11/06/2026;
        with Monday 08/06 a holiday, on Friday 12/06.
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        day = start
        counted = 0
        while counted < n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in ``(start, end]`` (negative if ``end`` is before ``start``)."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def token_recovery_deadline(notice: date, calendar: HolidayCalendar) -> date:
    """Last day to recover a revoked certificate's key device (5 working days)."""
    return calendar.add_working_days(notice, TOKEN_RECOVERY_WORKING_DAYS)
