"""The checked-in calendar against two independent sources, for every year both cover.

``chinesecalendar`` (1.11.0) covers 2004-2026; ``holidays`` (CN) computes any year, so the
common years are 2004-2026. Every day's working status must agree with both, except the
corrections the seed makes from the notices, which must agree with ``holidays``:

- 2005-12-31 (Saturday) is a make-up workday by the 2006 notice ("12月31日(星期六)上班");
  chinesecalendar 1.11.0 has it as a rest day, holidays (CN) as a working day.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import holidays
import pytest

from proctor.supervision.calendar import DayKind, WorkingCalendar
from proctor.supervision.seed_export import CORRECTIONS, package_entries
from proctor.supervision.year_entry import calendar_of, load_seed

YEARS = range(2004, 2027)
CORRECTED = {d.day for days in CORRECTIONS.values() for d in days}


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return calendar_of(load_seed())


def _days_of(year: int) -> list[date]:
    return [date(year, 1, 1) + timedelta(days=i) for i in range(366)
            if (date(year, 1, 1) + timedelta(days=i)).year == year]


def test_seed_is_what_the_generator_writes() -> None:
    assert load_seed() == package_entries()


@pytest.mark.parametrize("year", YEARS)
def test_every_day_agrees_with_chinesecalendar(cal: WorkingCalendar, year: int) -> None:
    differ = [d for d in _days_of(year)
              if cal.is_working_day(d) != chinese_calendar.is_workday(d) and d not in CORRECTED]
    assert differ == []


@pytest.mark.parametrize("year", YEARS)
def test_every_day_agrees_with_holidays_cn(cal: WorkingCalendar, year: int) -> None:
    cn = holidays.China(years=[year - 1, year, year + 1])  # cross-year substitutions
    differ = [d for d in _days_of(year) if cal.is_working_day(d) != cn.is_working_day(d)]
    assert differ == []


def test_corrections_are_the_known_package_error() -> None:
    day = date(2005, 12, 31)
    assert sorted(CORRECTED) == [day]
    assert chinese_calendar.is_workday(day) is False  # the package's error
    assert holidays.China(years=[2005, 2006]).is_working_day(day) is True
    entry = calendar_of(load_seed()).special_day(day)
    assert entry is not None and entry.kind is DayKind.MAKEUP_WORKDAY


def test_holiday_names_agree_with_chinesecalendar(cal: WorkingCalendar) -> None:
    for year in YEARS:
        for entry in cal.days_of(year):
            if entry.kind is DayKind.HOLIDAY:
                on_holiday, name = chinese_calendar.get_holiday_detail(entry.day)
                assert on_holiday and chinese_calendar.Holiday(name).chinese == entry.name


def test_2027_is_unknown_to_chinesecalendar_and_to_us(cal: WorkingCalendar) -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))
    assert 2027 not in cal.years
