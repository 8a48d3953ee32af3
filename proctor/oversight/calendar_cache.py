"""The working calendar and today's cut-offs, kept between requests.

Loading the calendar reads some 40 days for each of 20-odd years and computing the
cut-offs steps through a few thousand days: together most of a region view's time. Both
change only when a year is entered (years are entered once, with all their days, and
never changed), so they are kept per *calendar version*, the number of entered years and
the latest entry time: one cheap query per request tells whether the kept ones still hold.
"""

from __future__ import annotations

import threading
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from proctor.oversight.cutoffs import Cutoffs, Rules, cutoffs
from proctor.supervision.calendar import WorkingCalendar
from proctor.supervision.calendar_service import load_calendar
from proctor.supervision.models import CalendarYear

_Version = tuple[int, datetime | None]
_lock = threading.Lock()
_calendar: tuple[_Version, WorkingCalendar] | None = None
_cutoffs: dict[tuple[_Version, str, date], Cutoffs] = {}
_MAX_CUTOFFS = 16


def _version(db: Session) -> _Version:
    count, latest = db.execute(select(func.count(CalendarYear.year),
                                      func.max(CalendarYear.entered_at))).one()
    return int(count), latest


def current_calendar(db: Session, version: _Version | None = None) -> WorkingCalendar:
    """The working calendar as entered now (loaded again only after a year is entered);
    ``version``: the calendar version, if the caller has just read it."""
    global _calendar
    version = version or _version(db)
    with _lock:
        if _calendar is not None and _calendar[0] == version:
            return _calendar[1]
    calendar = load_calendar(db)
    with _lock:
        _calendar = (version, calendar)
    return calendar


def current_cutoffs(db: Session, rules: Rules, day: date) -> Cutoffs:
    """:func:`~.cutoffs.cutoffs` for ``day`` on the current calendar (kept per version,
    rules and day; raises :class:`~proctor.supervision.calendar.YearNotEntered` as it)."""
    version = _version(db)
    key = (version, repr(rules), day)
    with _lock:
        found = _cutoffs.get(key)
    if found is not None:
        return found
    computed = cutoffs(current_calendar(db, version), rules, day)
    with _lock:
        if len(_cutoffs) >= _MAX_CUTOFFS:
            _cutoffs.clear()
        _cutoffs[key] = computed
    return computed
