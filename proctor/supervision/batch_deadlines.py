"""A batch's working-day deadlines as the console shows them while planning and after.

Each step with a rule (:mod:`~proctor.supervision.deadlines`) is checked against today:
plan filing once the batch has a session (due N working days before the first session day,
N by the organisation's kind), publicity and results filing once publicity has started.
A step whose days fall in a year the working calendar lacks is not guessed: it says which
year to enter (fail closed), and the other steps are still shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from proctor.auth.scope import Scope
from proctor.db.organisations import Organisation
from proctor.supervision import deadlines
from proctor.supervision.batch_access import batch_in_scope
from proctor.supervision.batch_facts import DEADLINE_KIND
from proctor.supervision.calendar import WorkingCalendar, YearNotEntered
from proctor.supervision.calendar_service import load_calendar
from proctor.supervision.china_time import china_day
from proctor.supervision.deadlines import DeadlineRules, Step, StepCheck
from proctor.supervision.records import Batch


@dataclass(frozen=True)
class Deadline:
    """One step: its due day (publicity: its last day), status and the sentence saying so
    in both languages; ``year_missing`` is the calendar year to enter when it cannot be
    counted (then ``due`` and ``status`` are ``None``)."""

    step: Step
    due: date | None
    status: deadlines.StepStatus | None
    working_days: int
    flagged: bool
    zh: str
    en: str
    year_missing: int | None = None


def _shown(step: Step, check: Callable[[], StepCheck]) -> Deadline:
    try:
        verdict = check()
    except YearNotEntered as missing:
        return Deadline(step, None, None, 0, True,
                        f"{missing.year} 年工作日历未录入，无法计算期限"
                        "（请管理员录入当年节假日安排）",
                        f"the working calendar has no {missing.year}: the deadline cannot be "
                        "counted until an administrator enters that year", missing.year)
    zh, en = verdict.describe()
    return Deadline(step, verdict.due, verdict.status, verdict.working_days, verdict.flagged,
                    zh, en)


def _steps(db: Session, batch: Batch, calendar: WorkingCalendar, rules: DeadlineRules,
           today: date) -> list[Deadline]:
    shown: list[Deadline] = []
    if batch.sessions:
        organisation = db.get(Organisation, batch.organisation_id)
        assert organisation is not None  # a foreign key
        kind = DEADLINE_KIND[organisation.kind]
        first = china_day(min(s.starts_at for s in batch.sessions))
        shown.append(_shown(Step.PLAN_FILING, lambda: deadlines.check_plan_filing(
            calendar, rules, kind, first, batch.plan_filed_on, today)))
    started = batch.publicity_started_on
    if started is not None:
        shown.append(_shown(Step.PUBLICITY, lambda: deadlines.check_publicity(
            calendar, rules, started, batch.results_filed_on, today)))
        shown.append(_shown(Step.RESULTS_FILING, lambda: deadlines.check_results_filing(
            calendar, rules, started, batch.results_filed_on, today)))
    return shown


def batch_deadlines(db: Session, scope: Scope, batch_id: int, rules: DeadlineRules,
                    today: date) -> list[Deadline]:
    """The deadlines of a batch in the caller's scope, as they stand on ``today``."""
    batch = batch_in_scope(db, scope, batch_id)
    return _steps(db, batch, load_calendar(db), rules, today)
