"""Working days: weekends, fixed and configured holidays, make-up working days."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from vbsign.registry.workdays import HolidayCalendar, token_recovery_deadline


def test_deadline_across_a_weekend() -> None:
    cal = HolidayCalendar()
    # notice on Thursday 04/06/2026: Fri 5, Mon 8, Tue 9, Wed 10, Thu 11
    assert date(2026, 6, 4).weekday() == 3
    assert token_recovery_deadline(date(2026, 6, 4), cal) == date(2026, 6, 11)
    # a notice received on a Saturday counts from Monday
    assert token_recovery_deadline(date(2026, 6, 6), cal) == date(2026, 6, 12)


def test_deadline_across_a_weekend_and_a_holiday() -> None:
    cal = HolidayCalendar({date(2026, 6, 8): "Nghỉ bù (thử nghiệm)"})
    assert token_recovery_deadline(date(2026, 6, 4), cal) == date(2026, 6, 12)
    # a 9-day Tết break configured by the operator (14/02–22/02): Fri 13, then Mon 23 … Thu 26
    tet = HolidayCalendar({date(2026, 2, 14) + timedelta(days=i): "Tết Nguyên đán" for i in range(9)})
    assert token_recovery_deadline(date(2026, 2, 12), tet) == date(2026, 2, 26)


def test_fixed_solar_holidays_and_make_up_days() -> None:
    cal = HolidayCalendar()
    # 30/04/2026 (Thu) and 01/05/2026 (Fri) are holidays by law
    assert not cal.is_working_day(date(2026, 4, 30)) and not cal.is_working_day(date(2026, 5, 1))
    assert token_recovery_deadline(date(2026, 4, 29), cal) == date(2026, 5, 8)
    assert cal.holiday_name(date(2026, 9, 2)) in ("Quốc khánh", "National Day")
    worked = HolidayCalendar(workdays=frozenset({date(2026, 5, 2)}))  # a Saturday worked in exchange
    assert worked.is_working_day(date(2026, 5, 2))
    assert token_recovery_deadline(date(2026, 4, 29), worked) == date(2026, 5, 7)
    assert not HolidayCalendar(fixed=False).holiday_name(date(2026, 1, 1))


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    n=st.integers(min_value=0, max_value=30),
    off=st.sets(st.dates(min_value=date(2024, 1, 1), max_value=date(2031, 3, 31)), max_size=40),
)
def test_add_working_days_properties(start: date, n: int, off: set[date]) -> None:
    cal = HolidayCalendar({d: "x" for d in off})
    due = cal.add_working_days(start, n)
    assert cal.working_days_between(start, due) == n
    if n:
        assert cal.is_working_day(due) and due > start
    else:
        assert due == start


def test_registry_calendar_from_the_database(sreg: Any) -> None:
    sreg.add_holiday(date(2026, 6, 8), "Nghỉ bù")
    sreg.add_holiday(date(2026, 6, 13), "Làm bù", kind="workday")
    assert [h.day for h in sreg.list_holidays(2026)] == [date(2026, 6, 8), date(2026, 6, 13)]
    cal = sreg.calendar()
    assert not cal.is_working_day(date(2026, 6, 8)) and cal.is_working_day(date(2026, 6, 13))
    sreg.remove_holiday(date(2026, 6, 13))
    assert not sreg.calendar().is_working_day(date(2026, 6, 13))
