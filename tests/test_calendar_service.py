"""The working calendar in the database: seeded by the migration, entered per year (audited),
and the ``proctor supervision calendar`` commands."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from proctor.actor import Actor
from proctor.cli.main import app
from proctor.db.migrate import upgrade_database
from proctor.db.models import AuditEntry
from proctor.db.session import create_db_engine, create_session_factory
from proctor.errors import Conflict, InvalidInput
from proctor.supervision.calendar import CalendarDay, DayKind, YearNotEntered
from proctor.supervision.calendar_service import (
    YEAR_ENTERED,
    enter_year,
    load_calendar,
    show_year,
)
from proctor.supervision.models import CalendarDayEntry, CalendarYear
from proctor.supervision.year_entry import calendar_of, load_seed

ADMIN = Actor.cli("admin")
NOTICE = "国务院办公厅关于2027年部分节假日安排的通知（测试）"
SPRING_2027 = [CalendarDay(date(2027, 2, d), DayKind.HOLIDAY, "春节") for d in range(6, 13)]
DAYS_2027 = [*SPRING_2027, CalendarDay(date(2027, 2, 20), DayKind.MAKEUP_WORKDAY, "春节")]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Session]:
    url = f"sqlite:///{tmp_path / 'cal.db'}"
    upgrade_database(url)
    engine = create_db_engine(url)
    with create_session_factory(engine)() as session:
        yield session
    engine.dispose()


def test_migration_seeds_the_checked_in_years(db: Session) -> None:
    cal = load_calendar(db)
    seed = calendar_of(load_seed())
    assert cal.years == seed.years == frozenset(range(2004, 2027))
    assert cal.days_of(2026) == seed.days_of(2026)
    row = db.get(CalendarYear, 2026)
    assert row is not None and "2025-11-04" in row.source_notice
    assert row.entered_by == "system:calendar-seed"
    with pytest.raises(YearNotEntered, match="2027"):
        cal.is_working_day(date(2027, 1, 4))


def test_entering_a_year_is_audited_and_ends_fail_closed(db: Session) -> None:
    december = CalendarDay(date(2026, 12, 31), DayKind.HOLIDAY, "元旦")
    enter_year(db, ADMIN, 2027, [*DAYS_2027, december], f"  {NOTICE} ")
    db.commit()
    cal = load_calendar(db)
    assert cal.is_working_day(date(2027, 2, 8)) is False
    assert cal.is_working_day(date(2027, 2, 20)) is True  # the make-up Saturday
    assert cal.is_working_day(date(2026, 12, 31)) is False  # added to 2026 by the 2027 notice
    assert cal.add_working_days(date(2026, 12, 30), 1) == date(2027, 1, 1)
    stored = db.get(CalendarDayEntry, date(2026, 12, 31))
    assert stored is not None and (stored.notice_year, stored.source_notice) == (2027, NOTICE)
    assert stored.entered_by == "cli:admin"
    [entry] = db.scalars(select(AuditEntry).where(AuditEntry.action == YEAR_ENTERED))
    assert (entry.actor, entry.target) == ("cli:admin", "calendar_year:2027")
    assert entry.detail["makeup_workdays"] == ["2027-02-20"]
    assert "2026-12-31" in entry.detail["holidays"]  # type: ignore[operator]
    assert [d.day for d in show_year(db, 2026).days][-1] == date(2026, 12, 31)


def test_refusals(db: Session) -> None:
    with pytest.raises(Conflict, match="2026 is already entered .* system:calendar-seed"):
        enter_year(db, ADMIN, 2026, DAYS_2027, NOTICE)
    with pytest.raises(InvalidInput, match="2028-01-01 outside 2027"):
        enter_year(db, ADMIN, 2027, [CalendarDay(date(2028, 1, 1), DayKind.HOLIDAY, "元旦")],
                   NOTICE)
    with pytest.raises(InvalidInput, match="2027-02-06 given more than once"):
        enter_year(db, ADMIN, 2027, [*DAYS_2027, SPRING_2027[0]], NOTICE)
    with pytest.raises(InvalidInput, match="no days given"):
        enter_year(db, ADMIN, 2027, [], NOTICE)
    with pytest.raises(InvalidInput, match="source notice"):
        enter_year(db, ADMIN, 2027, DAYS_2027, "")
    with pytest.raises(InvalidInput, match="enter 2028 first"):
        enter_year(db, ADMIN, 2029, [CalendarDay(date(2028, 12, 31), DayKind.HOLIDAY, "元旦")],
                   NOTICE)
    assert db.get(CalendarYear, 2027) is None and db.get(CalendarYear, 2029) is None
    enter_year(db, ADMIN, 2027, [CalendarDay(date(2027, 12, 31), DayKind.HOLIDAY, "元旦")],
               NOTICE)
    with pytest.raises(Conflict, match="2027-12-31 already entered for 2027"):
        enter_year(db, ADMIN, 2028, [CalendarDay(date(2027, 12, 31), DayKind.HOLIDAY, "元旦")],
                   NOTICE)


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PROCTOR_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def test_cli_show_and_add_year(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shown = json.loads(run("supervision", "calendar", "show", "2026", "--json").stdout)
    assert {"date": "2026-02-14", "kind": "makeup_workday", "name": "春节"} in shown["days"]
    missing = run("supervision", "calendar", "show", "2027")
    assert missing.exit_code == 2
    assert "proctor supervision calendar add-year 2027" in missing.output
    csv = tmp_path / "2027.csv"
    csv.write_text("\ufeffdate,kind,name\n2027-02-06,放假,春节\n2027-02-20,上班,春节\n",
                   encoding="utf-8")
    added = run("supervision", "calendar", "add-year", "2027", "--file", str(csv),
                "--notice", NOTICE)
    assert added.exit_code == 0, added.output
    text = run("supervision", "calendar", "show", "2027").stdout
    assert NOTICE in text and "2027-02-20  Sat  makeup_workday" in text
    again = run("supervision", "calendar", "add-year", "2027", "--file", str(csv),
                "--notice", NOTICE)
    assert again.exit_code == 2 and "already entered" in again.output


def test_cli_errors_are_messages(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.csv"
    bad.write_text("date,kind,name\n2027-02-06,rest,春节\n2027-02-31,holiday,春节\n")
    result = run("supervision", "calendar", "add-year", "2027", "--file", str(bad),
                 "--notice", NOTICE)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "line 2: kind 'rest'" in result.output and "line 3: date" in result.output
    absent = run("supervision", "calendar", "add-year", "2027", "--file",
                 str(tmp_path / "none.csv"), "--notice", NOTICE)
    assert absent.exit_code == 2 and "cannot read" in absent.output
