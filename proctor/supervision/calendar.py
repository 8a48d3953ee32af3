"""The working-day calendar of mainland China, as entered from the State Council notices.

Pure: built from the entered years and their special days, no database, no clock.

How days are counted (also in docs/supervision.md, "How working days are counted"):

- A day is a **working day** when it is a make-up workday (调休上班), or when it is a Monday
  to Friday that is not a holiday. Holidays are non-working even on a weekday; Saturdays and
  Sundays are non-working unless entered as make-up workdays.
- A **period of N working days anchored at a day A** covers the N working days next to A in
  the period's direction; A itself never counts (民法典 第201条: 开始的当日不计入). Its last day
  is the N-th working day after A (``add_working_days(A, N)``) or before A
  (``add_working_days(A, -N)``). Since only working days are counted, a period never ends on
  a rest day (民法典 第203条 moves such an end to the next working day).
- ``working_days_between(a, b)`` counts the working days after ``a`` up to and including
  ``b``, so ``working_days_between(a, add_working_days(a, n)) == n``.
- **Fail closed.** Every computation checks that each day it looks at, anchors included,
  lies in an entered year; otherwise it raises :class:`YearNotEntered` naming the year.
  Nothing is guessed for a year whose notice has not been entered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from proctor.errors import Conflict

SATURDAY = 5  # date.weekday(): Monday is 0
ONE_DAY = timedelta(days=1)


class DayKind(StrEnum):
    """What a notice says about a day."""

    HOLIDAY = "holiday"  # 放假: no work, even on a weekday
    MAKEUP_WORKDAY = "makeup_workday"  # 调休上班: a Saturday or Sunday worked


@dataclass(frozen=True)
class CalendarDay:
    """A day a State Council notice names: a holiday or a make-up workday."""

    day: date
    kind: DayKind
    name: str  # the festival, e.g. 春节

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError(f"{self.day}: the day needs a name (the festival, e.g. 春节)")
        if self.kind is DayKind.MAKEUP_WORKDAY and not is_weekend(self.day):
            raise ValueError(f"{self.day} is a {self.day:%A}: a make-up workday (调休上班) is "
                             "a Saturday or Sunday; a weekday is a working day already")


class YearNotEntered(Conflict):
    """A computation needs a year whose holiday notice has not been entered."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"the working calendar has no entry for {year}, so working days in {year} cannot "
            f"be counted (nothing is guessed). Enter the year from the State Council notice "
            f"国务院办公厅关于{year}年部分节假日安排的通知: proctor supervision calendar "
            f"add-year {year} --file days.csv --notice \"<notice title and date>\"")


def is_weekend(day: date) -> bool:
    """Saturday or Sunday."""
    return day.weekday() >= SATURDAY


class WorkingCalendar:
    """Working days over the entered years. Immutable once built."""

    def __init__(self, years: Iterable[int], days: Iterable[CalendarDay]) -> None:
        self._years = frozenset(years)
        self._days: dict[date, CalendarDay] = {}
        for entry in days:
            if entry.day in self._days:
                raise ValueError(f"{entry.day} is given twice; a day has one kind")
            self._days[entry.day] = entry

    @property
    def years(self) -> frozenset[int]:
        """The entered years."""
        return self._years

    def require_year(self, year: int) -> None:
        """Raise :class:`YearNotEntered` unless ``year`` is entered."""
        if year not in self._years:
            raise YearNotEntered(year)

    def special_day(self, day: date) -> CalendarDay | None:
        """The notice's entry for ``day``, if it names it."""
        self.require_year(day.year)
        return self._days.get(day)

    def days_of(self, year: int) -> list[CalendarDay]:
        """The holidays and make-up workdays that fall in ``year``, in date order."""
        self.require_year(year)
        return sorted((d for d in self._days.values() if d.day.year == year),
                      key=lambda d: d.day)

    def is_working_day(self, day: date) -> bool:
        """Whether people work on ``day`` (see the module docstring)."""
        entry = self.special_day(day)
        if entry is not None:
            return entry.kind is DayKind.MAKEUP_WORKDAY
        return not is_weekend(day)

    def working_day_on_or_after(self, day: date) -> date:
        """``day`` if it is a working day, else the next working day."""
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (before it when ``n`` is negative);
        ``start`` itself never counts, so the answer is always a working day."""
        if n == 0:
            raise ValueError("a period of 0 working days has no last day; give n != 0")
        self.require_year(start.year)
        step = ONE_DAY if n > 0 else -ONE_DAY
        day, left = start, abs(n)
        while left:
            day += step
            left -= self.is_working_day(day)
        return day

    def working_days_between(self, a: date, b: date) -> int:
        """How many working days lie after ``a`` up to and including ``b`` (``a <= b``)."""
        if b < a:
            raise ValueError(f"{b} is before {a}; give the earlier day first")
        self.require_year(a.year)
        count, day = 0, a
        while day < b:
            day += ONE_DAY
            count += self.is_working_day(day)
        return count
