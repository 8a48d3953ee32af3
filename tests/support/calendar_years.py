"""Working-calendar years for tests whose dates move with today: the seed ends with the last
year the State Council has announced, and a deadline or report period that runs past it is
refused (fail closed). A test that plans relative to today enters the years it reaches
provisionally (New Year's Day only), as an administrator would before the notice is out."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from proctor.actor import Actor
from proctor.supervision.calendar import CalendarDay, DayKind
from proctor.supervision.calendar_service import enter_year
from proctor.supervision.models import CalendarYear

PROVISIONAL = "test: provisional (New Year's Day only)"


def enter_years_through(db: Session, first: date, last: date) -> list[int]:
    """Enter each year from ``first``'s to ``last``'s that is not entered yet (provisionally:
    New Year's Day only); returns the years entered now."""
    entered = []
    for year in range(first.year, last.year + 1):
        if db.get(CalendarYear, year) is None:
            enter_year(db, Actor.cli("test"), year,
                       [CalendarDay(date(year, 1, 1), DayKind.HOLIDAY, "元旦")], PROVISIONAL)
            entered.append(year)
    return entered
