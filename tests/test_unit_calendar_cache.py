"""The kept working calendar and cut-offs on a real (SQLite) database seeded with the
entered years 2004–2026: kept while no year is entered, loaded again as soon as one is,
kept per rules and day, bounded, and never kept when the calendar cannot answer."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from proctor.actor import Actor
from proctor.oversight import calendar_cache
from proctor.oversight.calendar_cache import current_calendar, current_cutoffs
from proctor.oversight.cutoffs import Rules, cutoffs
from proctor.supervision.calendar import CalendarDay, DayKind, YearNotEntered
from proctor.supervision.calendar_service import enter_year, load_calendar
from proctor.supervision.settings import SupervisionSettings

ADMIN = Actor.cli("admin")
RULES = Rules.of(SupervisionSettings())
DAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def empty_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with nothing kept (the cache is process-wide)."""
    monkeypatch.setattr(calendar_cache, "_calendar", None)
    monkeypatch.setattr(calendar_cache, "_cutoffs", {})


def enter_2027(db: Session) -> None:
    enter_year(db, ADMIN, 2027, [CalendarDay(date(2027, 1, 1), DayKind.HOLIDAY, "元旦")],
               "国办发明电〔2026〕1号")
    db.commit()


def test_the_calendar_is_kept_until_a_year_is_entered(db: Session) -> None:
    kept = current_calendar(db)
    assert current_calendar(db) is kept
    with pytest.raises(YearNotEntered):
        kept.is_working_day(date(2027, 3, 1))
    enter_2027(db)
    fresh = current_calendar(db)
    assert fresh is not kept and not fresh.is_working_day(date(2027, 1, 1))
    assert current_calendar(db) is fresh


def test_cutoffs_are_those_of_the_calendar_and_kept_per_rules_and_day(db: Session) -> None:
    first = current_cutoffs(db, RULES, DAY)
    assert first == cutoffs(load_calendar(db), RULES, DAY)
    assert current_cutoffs(db, RULES, DAY) is first
    other_rules = Rules(RULES.deadlines, RULES.report_days + 5, RULES.report_unit)
    assert current_cutoffs(db, other_rules, DAY).report < first.report  # longer to report
    assert current_cutoffs(db, RULES, DAY + timedelta(days=1)).day == DAY + timedelta(days=1)
    enter_2027(db)
    assert current_cutoffs(db, RULES, DAY) is not first  # a new calendar version


def test_the_kept_cutoffs_are_bounded(db: Session) -> None:
    days = [DAY + timedelta(days=n) for n in range(calendar_cache._MAX_CUTOFFS + 1)]
    for day in days:
        current_cutoffs(db, RULES, day)
    assert 1 <= len(calendar_cache._cutoffs) <= calendar_cache._MAX_CUTOFFS
    assert current_cutoffs(db, RULES, days[-1]).day == days[-1]


def test_a_day_the_calendar_cannot_answer_is_refused_and_not_kept(db: Session) -> None:
    late = date(2026, 12, 30)  # its deadlines run into 2027, not entered yet
    with pytest.raises(YearNotEntered):
        current_cutoffs(db, RULES, late)
    assert calendar_cache._cutoffs == {}
    enter_2027(db)
    assert current_cutoffs(db, RULES, late).day == late
