"""Time helpers: the current time in UTC and how vbsign shows a time to a Vietnamese reader.

Every time vbsign shows (reports, appearances, CLI output) is ``dd/mm/yyyy hh:mm:ss +07:00``
in Asia/Ho_Chi_Minh, whatever the machine's own time zone is.
"""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

#: Vietnam's time zone (UTC+7, no daylight saving time)
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


def format_vn_time(dt: datetime) -> str:
    """``dd/mm/yyyy hh:mm:ss +07:00`` in Asia/Ho_Chi_Minh, whatever the machine's zone."""
    return dt.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M:%S +07:00")


def vn_time(dt: datetime | None) -> str:
    """:func:`format_vn_time`, or ``—`` when there is no time."""
    return "—" if dt is None else format_vn_time(dt)


__all__ = ["VN_TZ", "format_vn_time", "utcnow", "vn_time"]
