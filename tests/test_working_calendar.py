"""The working calendar: which days are worked, how periods are counted, and fail-closed years."""

from __future__ import annotations

from datetime import date

import pytest

from proctor.errors import InvalidInput
from proctor.supervision.calendar import CalendarDay, DayKind, WorkingCalendar, YearNotEntered
from proctor.supervision.year_entry import YearEntry, calendar_of, load_seed, read_days_csv


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return calendar_of(load_seed())


def test_seed_covers_2004_to_2026_and_nothing_else(cal: WorkingCalendar) -> None:
    assert cal.years == frozenset(range(2004, 2027))


@pytest.mark.parametrize(("day", "working"), [
    (date(2026, 2, 13), True),  # Friday before 春节
    (date(2026, 2, 14), True),  # Saturday, 调休 make-up workday
    (date(2026, 2, 16), False),  # Monday, 春节 holiday
    (date(2026, 2, 23), False),  # Monday, last day of 春节
    (date(2026, 2, 24), True),  # Tuesday, back to work
    (date(2026, 3, 1), False),  # ordinary Sunday
    (date(2026, 9, 20), True),  # Sunday, make-up workday for 国庆
    (date(2026, 10, 7), False),  # Wednesday, 国庆
    (date(2026, 10, 10), True),  # Saturday, make-up workday
    (date(2026, 10, 11), False),  # ordinary Sunday
])
def test_working_days_around_spring_festival_and_national_day_2026(
        cal: WorkingCalendar, day: date, working: bool) -> None:
    assert cal.is_working_day(day) is working


def test_periods_skip_holidays_and_count_makeup_days(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert cal.add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)
    assert cal.add_working_days(date(2026, 2, 24), -1) == date(2026, 2, 14)
    assert cal.add_working_days(date(2026, 3, 2), -15) == date(2026, 2, 3)
    assert cal.working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2
    assert cal.working_days_between(date(2026, 2, 16), date(2026, 2, 16)) == 0


def test_between_and_add_are_inverse(cal: WorkingCalendar) -> None:
    start = date(2025, 12, 20)
    for n in (1, 7, 15, 40):
        assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


def test_a_day_next_to_a_rest_day(cal: WorkingCalendar) -> None:
    assert cal.working_day_on_or_after(date(2026, 10, 1)) == date(2026, 10, 8)
    assert cal.working_day_on_or_after(date(2026, 10, 10)) == date(2026, 10, 10)


def test_2027_fails_closed_naming_the_year_and_the_command(cal: WorkingCalendar) -> None:
    with pytest.raises(YearNotEntered) as raised:
        cal.add_working_days(date(2026, 12, 28), 5)  # steps past 2026-12-31
    assert raised.value.year == 2027
    assert "2027" in str(raised.value)
    assert "proctor supervision calendar add-year 2027" in str(raised.value)
    with pytest.raises(YearNotEntered):
        cal.is_working_day(date(2027, 1, 4))
    with pytest.raises(YearNotEntered):
        cal.add_working_days(date(2027, 1, 20), -1)
    with pytest.raises(YearNotEntered):
        cal.working_days_between(date(2003, 12, 31), date(2004, 1, 5))
    assert cal.add_working_days(date(2026, 12, 28), 3) == date(2026, 12, 31)


def test_a_makeup_workday_is_a_weekend_day() -> None:
    with pytest.raises(ValueError, match="Saturday or Sunday"):
        CalendarDay(date(2026, 2, 16), DayKind.MAKEUP_WORKDAY, "春节")
    with pytest.raises(ValueError, match="name"):
        CalendarDay(date(2026, 2, 16), DayKind.HOLIDAY, " ")


def test_calendar_refuses_a_day_given_twice() -> None:
    day = CalendarDay(date(2026, 2, 16), DayKind.HOLIDAY, "春节")
    with pytest.raises(ValueError, match="twice"):
        WorkingCalendar([2026], [day, day])


def test_year_entry_checks_its_days() -> None:
    holiday = CalendarDay(date(2027, 2, 8), DayKind.HOLIDAY, "春节")
    december = CalendarDay(date(2026, 12, 31), DayKind.HOLIDAY, "元旦")
    assert YearEntry(2027, "notice", (holiday, december)).days == (holiday, december)
    with pytest.raises(InvalidInput, match="outside 2027"):
        YearEntry(2027, "notice", (CalendarDay(date(2026, 11, 30), DayKind.HOLIDAY, "x"),))
    with pytest.raises(InvalidInput, match="more than once"):
        YearEntry(2027, "notice", (holiday, holiday))
    with pytest.raises(InvalidInput, match="source notice"):
        YearEntry(2027, " ", (holiday,))
    with pytest.raises(InvalidInput, match="between"):
        YearEntry(1999, "notice", (holiday,))


def test_csv_reports_every_bad_line() -> None:
    text = ("date,kind,name\n2027-02-06,holiday,春节\n2027-02-07,放假,春节\n"
            "2027-13-01,holiday,x\n2027-02-08,rest,春节\n\n2027-02-01,上班,春节\n2027-02-02\n")
    with pytest.raises(InvalidInput) as raised:
        read_days_csv(text)
    message = str(raised.value)
    assert "line 4: date '2027-13-01'" in message
    assert "line 5: kind 'rest'" in message
    assert "line 7:" in message and "Saturday or Sunday" in message  # 2027-02-01 is a Monday
    assert "line 8: expected 3 columns" in message
    assert "line 2" not in message and "line 3" not in message
    good = read_days_csv("date,kind,name\n2027-02-06,holiday,春节\n2027-02-20,上班,春节\n")
    assert [d.kind for d in good] == [DayKind.HOLIDAY, DayKind.MAKEUP_WORKDAY]
    with pytest.raises(InvalidInput, match="header"):
        read_days_csv("2027-02-06,holiday,春节\n")
