"""One year of the working calendar as a notice gives it, read from CSV or the seed file.

A State Council notice for year Y (国务院办公厅关于Y年部分节假日安排的通知) names the
holidays and make-up workdays of Y, and sometimes days at the end of December of Y-1 that
belong to Y's New Year holiday (e.g. 2018-12-29 上班, 2018-12-30/31 放假 from the 2019
notice). So a year's entry may hold days from 1 December of Y-1 to 31 December of Y;
those December days are added to Y-1, which must already be entered and must not name them.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from proctor.errors import InvalidInput
from proctor.supervision.calendar import CalendarDay, DayKind, WorkingCalendar

SEED_PATH = Path(__file__).resolve().parent / "data" / "cn_calendar.json"
CSV_HEADER = ("date", "kind", "name")
FIRST_YEAR, LAST_YEAR = 2000, 2100  # what a notice for a calendar year can plausibly be
_KIND_WORDS = {"holiday": DayKind.HOLIDAY, "放假": DayKind.HOLIDAY,
               "makeup_workday": DayKind.MAKEUP_WORKDAY, "上班": DayKind.MAKEUP_WORKDAY}


def first_allowed_day(year: int) -> date:
    """The earliest day a notice for ``year`` may name (1 December of the year before)."""
    return date(year - 1, 12, 1)


@dataclass(frozen=True)
class YearEntry:
    """A year's notice: its special days and where they come from."""

    year: int
    source_notice: str
    days: tuple[CalendarDay, ...]

    def __post_init__(self) -> None:
        if not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise InvalidInput(f"year {self.year} is not between {FIRST_YEAR} and {LAST_YEAR}")
        if not self.source_notice.strip():
            raise InvalidInput(f"{self.year}: name the source notice (title and date of the "
                               f"State Council notice for {self.year})")
        outside = [d.day for d in self.days
                   if not first_allowed_day(self.year) <= d.day <= date(self.year, 12, 31)]
        if outside:
            raise InvalidInput(
                f"{', '.join(map(str, outside))} outside {self.year}: a notice for "
                f"{self.year} names days of {self.year} (and of December {self.year - 1} "
                "for the New Year holiday) only")
        counts = Counter(d.day for d in self.days)
        twice = sorted(day for day, n in counts.items() if n > 1)
        if twice:
            raise InvalidInput(f"{', '.join(map(str, twice))} given more than once: "
                               "a day has one kind; keep one line per day")


def _parse_row(row: list[str]) -> CalendarDay:
    if len(row) != len(CSV_HEADER):
        raise ValueError(f"expected {len(CSV_HEADER)} columns {','.join(CSV_HEADER)}, "
                         f"got {len(row)}")
    text, kind, name = (cell.strip() for cell in row)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"date {text!r} is not YYYY-MM-DD") from None
    if kind not in _KIND_WORDS:
        raise ValueError(f"kind {kind!r} is not one of {', '.join(_KIND_WORDS)}")
    return CalendarDay(day, _KIND_WORDS[kind], name)


def read_days_csv(text: str) -> list[CalendarDay]:
    """Days from CSV ``date,kind,name`` (header first); every bad line is reported."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or tuple(cell.strip() for cell in rows[0]) != CSV_HEADER:
        raise InvalidInput(f"the first line must be the header {','.join(CSV_HEADER)}")
    days, problems = [], []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            days.append(_parse_row(row))
        except ValueError as error:
            problems.append(f"line {line}: {error}")
    if problems:
        raise InvalidInput("bad calendar lines:\n" + "\n".join(problems))
    return days


def day_to_json(day: CalendarDay) -> dict[str, str]:
    """One day as the seed file stores it."""
    return {"date": day.day.isoformat(), "kind": day.kind.value, "name": day.name}


def load_seed(path: Path = SEED_PATH) -> list[YearEntry]:
    """The checked-in years (``proctor supervision calendar export-seed`` writes them)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [YearEntry(item["year"], item["source_notice"],
                      tuple(CalendarDay(date.fromisoformat(d["date"]), DayKind(d["kind"]),
                                        d["name"]) for d in item["days"]))
            for item in data["years"]]


def calendar_of(entries: Iterable[YearEntry]) -> WorkingCalendar:
    """The working calendar of these years."""
    entries = list(entries)
    return WorkingCalendar((e.year for e in entries), (d for e in entries for d in e.days))
