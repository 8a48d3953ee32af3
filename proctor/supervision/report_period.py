"""When a drawn supervisor's access to a batch's footage ends: the end of the report period
(pure).

The period runs from the day (China time) the batch's last session ends, which does not
count, for ``days`` working days (``working_days``: counted on the working calendar, so a
holiday or 调休 moves it and a year not entered fails closed) or calendar days
(``calendar_days``). Access ends at the end of the period's last day: 24:00 China time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from proctor.supervision.calendar import WorkingCalendar

CHINA = ZoneInfo("Asia/Shanghai")


class PeriodUnit(StrEnum):
    """How the report period is counted."""

    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"


def last_day(calendar: WorkingCalendar, ended: date, days: int, unit: PeriodUnit) -> date:
    """The report period's last day for a batch whose last session ended on ``ended``."""
    if days < 1:
        raise ValueError(f"a report period lasts at least one day, not {days}")
    if unit is PeriodUnit.WORKING_DAYS:
        return calendar.add_working_days(ended, days)
    return ended + timedelta(days=days)


def access_until(calendar: WorkingCalendar, last_session_end: datetime, days: int,
                 unit: PeriodUnit) -> datetime:
    """The moment (UTC) access ends: 24:00 China time of the period's last day."""
    ended = last_session_end.astimezone(CHINA).date()
    end_day = last_day(calendar, ended, days, unit) + timedelta(days=1)
    return datetime.combine(end_day, time(0), CHINA).astimezone(UTC)
