"""The working-day deadlines of a certification batch (pure).

The rules (厦门市职业技能等级认定操作细则, seed 003, parts 十 and 十二; values configurable in
:class:`~proctor.supervision.settings.SupervisionSettings`):

- **Plan filing** (认定实施计划备案): at least N working days before the first session; N is
  15 for enterprises and social training organisations, 10 for colleges (院校). Counted back
  from the first session day, which does not count: the deadline is
  ``add_working_days(first_session, -N)``, and filing on that day is on time.
- **Publicity** (公示): N working days (5; seed 001 also says 3), counted from the day after it
  starts. Its last day is ``add_working_days(started_on, N)``; results may be filed from the
  day after that. A publicity ended early (results filed on or before its last day) is
  *cut short* by the working days it lacked.
- **Results filing** (结果备案): within N working days (10) after publicity's last day: the
  deadline is ``add_working_days(publicity_last_day, N)``.

A step done on a non-working day counts as done on the next working day. A late step is
late by the working days from the deadline (exclusive) to that day (inclusive). A step not
done by today is *not yet due* up to and including its deadline, then *missing*, overdue by
the working days after the deadline up to today. Every check returns a :class:`StepCheck`;
late, missing and cut-short steps are ``flagged`` and must be shown, never dropped.
Dates in years not entered in the calendar raise
:class:`~proctor.supervision.calendar.YearNotEntered`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from proctor.supervision.calendar import WorkingCalendar


class OrganisationKind(StrEnum):
    """The kinds of 认定机构, which differ in their plan-filing lead."""

    ENTERPRISE = "enterprise"  # 用人单位（企业）
    COLLEGE = "college"  # 院校（技工院校、职业院校）
    SOCIAL_TRAINING_ORG = "social_training_org"  # 社会培训评价组织


class Step(StrEnum):
    """A batch step with a working-day rule."""

    PLAN_FILING = "plan_filing"
    PUBLICITY = "publicity"
    RESULTS_FILING = "results_filing"


class StepStatus(StrEnum):
    """How a step stands against its rule."""

    ON_TIME = "on_time"  # done as the rule requires
    LATE = "late"  # done after its deadline
    NOT_YET_DUE = "not_yet_due"  # not done, deadline not passed (or publicity still running)
    MISSING = "missing"  # not done, deadline passed; or skipped
    CUT_SHORT = "cut_short"  # publicity ended before its working days ran


FLAGGED = frozenset({StepStatus.LATE, StepStatus.MISSING, StepStatus.CUT_SHORT})

_STEP_ZH = {Step.PLAN_FILING: "认定实施计划备案", Step.PUBLICITY: "认定结果公示",
            Step.RESULTS_FILING: "认定结果备案"}


@dataclass(frozen=True)
class DeadlineRules:
    """Working-day rule values (built by ``SupervisionSettings.deadline_rules()``)."""

    plan_lead: Mapping[OrganisationKind, int]
    publicity_days: int
    results_days: int


@dataclass(frozen=True)
class StepCheck:
    """The verdict on one step: ``working_days`` is how late, overdue or short it is."""

    step: Step
    status: StepStatus
    due: date | None  # deadline; publicity: its last day (None before it starts)
    done_on: date | None
    working_days: int = 0

    @property
    def flagged(self) -> bool:
        """Whether the batch and its report must show this step as a breach."""
        return self.status in FLAGGED

    def describe(self) -> tuple[str, str]:
        """The verdict as a Chinese and an English sentence."""
        zh, en, n = _STEP_ZH[self.step], self.step.value.replace("_", " "), self.working_days
        due = f"（期限 {self.due}）" if self.due else ""
        return {
            StepStatus.ON_TIME: (f"{zh}符合期限{due}", f"{en} as required (due {self.due})"),
            StepStatus.LATE: (f"{zh}逾期 {n} 个工作日{due}", f"{en} late by {n} working days"),
            StepStatus.NOT_YET_DUE: (f"{zh}尚未到期{due}", f"{en} not yet due ({self.due})"),
            StepStatus.MISSING: (f"{zh}缺失，已逾期 {n} 个工作日{due}",
                                 f"{en} missing, overdue by {n} working days"),
            StepStatus.CUT_SHORT: (f"{zh}不足规定天数，少 {n} 个工作日",
                                   f"{en} cut short by {n} working days"),
        }[self.status]


def _check(calendar: WorkingCalendar, step: Step, due: date, done_on: date | None,
           today: date) -> StepCheck:
    """The common deadline verdict (see the module docstring)."""
    if done_on is not None:
        effective = calendar.working_day_on_or_after(done_on)
        if effective <= due:
            return StepCheck(step, StepStatus.ON_TIME, due, done_on)
        late = calendar.working_days_between(due, effective)
        return StepCheck(step, StepStatus.LATE, due, done_on, late)
    if today <= due:
        return StepCheck(step, StepStatus.NOT_YET_DUE, due, None)
    overdue = calendar.working_days_between(due, today)
    return StepCheck(step, StepStatus.MISSING, due, None, overdue)


def plan_deadline(calendar: WorkingCalendar, rules: DeadlineRules, kind: OrganisationKind,
                  first_session: date) -> date:
    """The last day the implementation plan may be filed for a batch starting then."""
    return calendar.add_working_days(first_session, -rules.plan_lead[kind])


def check_plan_filing(calendar: WorkingCalendar, rules: DeadlineRules, kind: OrganisationKind,
                      first_session: date, filed_on: date | None, today: date) -> StepCheck:
    """Was (or is) the implementation plan filed early enough?"""
    due = plan_deadline(calendar, rules, kind, first_session)
    return _check(calendar, Step.PLAN_FILING, due, filed_on, today)


def publicity_last_day(calendar: WorkingCalendar, rules: DeadlineRules,
                       started_on: date) -> date:
    """The last working day of a publicity that starts on ``started_on``."""
    return calendar.add_working_days(started_on, rules.publicity_days)


def publicity_days_elapsed(calendar: WorkingCalendar, started_on: date, until: date) -> int:
    """Working days of publicity completed before ``until`` (``until`` itself not included:
    on the day results are filed, or today, that day is not yet over)."""
    if until <= started_on:
        return 0
    return calendar.working_days_between(started_on, until - timedelta(days=1))


def check_publicity(calendar: WorkingCalendar, rules: DeadlineRules, started_on: date | None,
                    results_filed_on: date | None, today: date) -> StepCheck:
    """Did publicity run its working days before the results were filed?"""
    if started_on is None:
        status = StepStatus.MISSING if results_filed_on else StepStatus.NOT_YET_DUE
        return StepCheck(Step.PUBLICITY, status, None, results_filed_on,
                         rules.publicity_days if results_filed_on else 0)
    last = publicity_last_day(calendar, rules, started_on)
    if results_filed_on is None:
        status = StepStatus.NOT_YET_DUE if today <= last else StepStatus.ON_TIME
        return StepCheck(Step.PUBLICITY, status, last, None)
    ran = publicity_days_elapsed(calendar, started_on, results_filed_on)
    short = max(rules.publicity_days - ran, 0)
    status = StepStatus.CUT_SHORT if short else StepStatus.ON_TIME
    return StepCheck(Step.PUBLICITY, status, last, results_filed_on, short)


def results_deadline(calendar: WorkingCalendar, rules: DeadlineRules,
                     publicity_started_on: date) -> date:
    """The last day results may be filed, for a publicity that started then."""
    last = publicity_last_day(calendar, rules, publicity_started_on)
    return calendar.add_working_days(last, rules.results_days)


def check_results_filing(calendar: WorkingCalendar, rules: DeadlineRules,
                         publicity_started_on: date, filed_on: date | None,
                         today: date) -> StepCheck:
    """Were (or are) the results filed within their working days after publicity?"""
    due = results_deadline(calendar, rules, publicity_started_on)
    return _check(calendar, Step.RESULTS_FILING, due, filed_on, today)
