"""The working calendar in the database: load it, show a year, enter a new year (audited).

Administrators enter each new year once, from the State Council notice, when it is
published (usually in November or December of the year before). Until then, every deadline
that touches the year fails closed (:class:`~proctor.supervision.calendar.YearNotEntered`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor import audit
from proctor.errors import Conflict, InvalidInput
from proctor.supervision.calendar import (
    CalendarDay,
    DayKind,
    WorkingCalendar,
    YearNotEntered,
)
from proctor.supervision.models import CalendarDayEntry, CalendarYear
from proctor.supervision.year_entry import YearEntry

if TYPE_CHECKING:
    from proctor.actor import Actor

YEAR_ENTERED = "calendar.year_entered"


@dataclass(frozen=True)
class YearView:
    """An entered year and the special days that fall in it."""

    year: CalendarYear
    days: list[CalendarDayEntry]


def load_calendar(db: Session) -> WorkingCalendar:
    """The working calendar of every entered year."""
    years = db.scalars(select(CalendarYear.year))
    # plain rows of the three columns needed (no ORM loading): some 40 days a year
    days = db.execute(select(CalendarDayEntry.day, CalendarDayEntry.kind, CalendarDayEntry.name))
    return WorkingCalendar(years, (CalendarDay(day, kind, name) for day, kind, name in days))


def show_year(db: Session, year: int) -> YearView:
    """An entered year with its days (those of December named by the next year's notice
    included); :class:`YearNotEntered` if it is not entered."""
    entry = db.get(CalendarYear, year)
    if entry is None:
        raise YearNotEntered(year)
    days = db.scalars(select(CalendarDayEntry).where(
        CalendarDayEntry.day.between(date(year, 1, 1), date(year, 12, 31)))
        .order_by(CalendarDayEntry.day))
    return YearView(entry, list(days))


def _check_previous_december(db: Session, entry: YearEntry) -> None:
    """December days of the year before may be added only to an entered year that does
    not name them yet."""
    early = [d.day for d in entry.days if d.day.year < entry.year]
    if not early:
        return
    if db.get(CalendarYear, entry.year - 1) is None:
        raise InvalidInput(f"{', '.join(map(str, early))} belong to {entry.year - 1}, which "
                           f"is not entered: enter {entry.year - 1} first")
    taken = db.scalars(select(CalendarDayEntry.day).where(CalendarDayEntry.day.in_(early)))
    clash = sorted(taken)
    if clash:
        raise Conflict(f"{', '.join(map(str, clash))} already entered for "
                       f"{entry.year - 1}; a day has one kind and one notice")


def enter_year(db: Session, actor: Actor, year: int, days: Iterable[CalendarDay],
               source_notice: str) -> CalendarYear:
    """Enter ``year`` from its notice: every holiday and make-up workday it names."""
    existing = db.get(CalendarYear, year)
    if existing is not None:
        raise Conflict(f"{year} is already entered (by {existing.entered_by} at "
                       f"{existing.entered_at:%Y-%m-%d %H:%M} UTC, from "
                       f"{existing.source_notice}); a year is entered once, nothing changed")
    entry = YearEntry(year, source_notice.strip(), tuple(days))
    if not entry.days:
        raise InvalidInput(f"no days given for {year}: list every holiday and make-up "
                           "workday the notice names")
    _check_previous_december(db, entry)
    row = CalendarYear(year=year, source_notice=entry.source_notice, entered_by=str(actor))
    db.add(row)
    db.flush()
    db.add_all(CalendarDayEntry(day=d.day, kind=d.kind, name=d.name, notice_year=year,
                                source_notice=entry.source_notice, entered_by=str(actor))
               for d in entry.days)
    db.flush()
    audit.record(db, actor, YEAR_ENTERED, f"calendar_year:{year}",
                 source_notice=entry.source_notice,
                 holidays=sorted(d.day.isoformat() for d in entry.days
                                 if d.kind is DayKind.HOLIDAY),
                 makeup_workdays=sorted(d.day.isoformat() for d in entry.days
                                        if d.kind is DayKind.MAKEUP_WORKDAY))
    return row
