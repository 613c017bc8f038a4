"""Reporting periods: ``2026``, ``2026-H1``, ``2026-Q3``, ``2026-07`` or ``2026-01-01..2026-06-30``.

Periods are calendar days in Vietnamese local time (Asia/Ho_Chi_Minh); the database is
queried with the matching UTC instants ``[start 00:00 +07:00, day after end 00:00 +07:00)``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from vbsign._core.i18n import Msg
from vbsign.registry.errors import RegistryError

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class Period:
    start: date
    #: inclusive
    end: date
    label: Msg
    #: "year", "half", "quarter", "month" or "range"
    kind: str

    @property
    def start_utc(self) -> datetime:
        return datetime.combine(self.start, time(0, 0), VN_TZ).astimezone(UTC)

    @property
    def end_utc(self) -> datetime:
        """Exclusive upper bound."""
        return datetime.combine(self.end + timedelta(days=1), time(0, 0), VN_TZ).astimezone(UTC)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def buckets(self) -> list[tuple[str, date, date]]:
        """Sub-periods for trend charts: days for periods up to 62 days, else months."""
        out: list[tuple[str, date, date]] = []
        if self.days <= 62:
            d = self.start
            while d <= self.end:
                out.append((d.strftime("%d/%m"), d, d))
                d += timedelta(days=1)
            return out
        y, m = self.start.year, self.start.month
        while date(y, m, 1) <= self.end:
            first = max(date(y, m, 1), self.start)
            last = min(date(y, m, calendar.monthrange(y, m)[1]), self.end)
            out.append((f"{m:02d}/{y}", first, last))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def to_dict(self) -> dict[str, str]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "kind": self.kind,
            "label_vi": self.label.vi,
            "label_en": self.label.en,
        }


def year(y: int) -> Period:
    return Period(date(y, 1, 1), date(y, 12, 31), Msg(f"Năm {y}", f"Year {y}"), "year")


def parse_period(text: str) -> Period:
    """Parse a period; raises :class:`RegistryError` with the accepted forms."""
    t = text.strip().upper()
    try:
        if m := re.fullmatch(r"(\d{4})", t):
            return year(int(m[1]))
        if m := re.fullmatch(r"(\d{4})-H([12])", t):
            y, h = int(m[1]), int(m[2])
            start = date(y, 1 if h == 1 else 7, 1)
            end = date(y, 6, 30) if h == 1 else date(y, 12, 31)
            return Period(start, end, Msg(f"6 tháng {'đầu' if h == 1 else 'cuối'} năm {y}", f"H{h} {y}"), "half")
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", t):
            y, q = int(m[1]), int(m[2])
            start = date(y, 3 * q - 2, 1)
            end = date(y, 3 * q, calendar.monthrange(y, 3 * q)[1])
            roman = ["I", "II", "III", "IV"][q - 1]
            return Period(start, end, Msg(f"Quý {roman} năm {y}", f"Q{q} {y}"), "quarter")
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", t):
            y, mo = int(m[1]), int(m[2])
            start = date(y, mo, 1)
            end = date(y, mo, calendar.monthrange(y, mo)[1])
            return Period(start, end, Msg(f"Tháng {mo:02d}/{y}", f"{start:%B %Y}"), "month")
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})", t):
            start, end = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            if end < start:
                raise ValueError
            return Period(
                start,
                end,
                Msg(f"Từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}", f"{start:%d/%m/%Y} to {end:%d/%m/%Y}"),
                "range",
            )
    except ValueError:
        pass
    raise RegistryError(
        Msg(
            "Kỳ báo cáo không hợp lệ: {p}. Dùng: 2026, 2026-H1, 2026-Q3, 2026-07 hoặc 2026-01-01..2026-06-30.",
            "Invalid period: {p}. Use 2026, 2026-H1, 2026-Q3, 2026-07 or 2026-01-01..2026-06-30.",
        ).format(p=text)
    )
