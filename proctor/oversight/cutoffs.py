"""Which batches are overdue today, as date cut-offs a SQL query can compare with (pure).

Each deadline of a batch is a non-decreasing function of one anchor day
(:mod:`proctor.supervision.deadlines`, :mod:`proctor.supervision.report_period`):

- **plan filing** (认定实施计划备案), a batch still in draft: anchored on its first
  session's day, due ``plan_deadline(first_session)``, per organisation kind;
- **report signing** (督导报告签署), a batch ended but not signed: anchored on its last
  session's day, due at the report period's last day;
- **results filing** (认定结果备案), a batch in publicity: anchored on the day publicity
  started, due ``results_deadline(started_on)``.

A step is overdue when today is after its deadline. Because each deadline only grows with
its anchor, "overdue" is the same as "anchor before a cut-off day": the earliest anchor
whose deadline is still today or later. :func:`earliest_anchor` finds it by stepping
through the very deadline functions the batches are checked with, so the arithmetic is
never written twice; a query then counts every overdue batch with one comparison. The
same cut-off against a later day gives "due within N working days" (notifications).
A day in a year the calendar lacks raises
:class:`~proctor.supervision.calendar.YearNotEntered` (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from proctor.supervision import deadlines, report_period
from proctor.supervision.calendar import WorkingCalendar
from proctor.supervision.deadlines import DeadlineRules, OrganisationKind
from proctor.supervision.report_period import PeriodUnit
from proctor.supervision.settings import SupervisionSettings

ONE_DAY = timedelta(days=1)
_MAX_STEPS = 400  # more than a year of days: a rule that long is refused by the settings


class DueStep(StrEnum):
    """A step of a batch with a deadline that oversight watches."""

    PLAN_FILING = "plan_filing"
    REPORT_SIGNING = "report_signing"
    RESULTS_FILING = "results_filing"


STEP_LABELS: Mapping[DueStep, str] = {
    DueStep.PLAN_FILING: "认定实施计划备案", DueStep.REPORT_SIGNING: "督导报告签署",
    DueStep.RESULTS_FILING: "认定结果备案"}


@dataclass(frozen=True)
class Rules:
    """The rule values of the three steps."""

    deadlines: DeadlineRules
    report_days: int
    report_unit: PeriodUnit

    @classmethod
    def of(cls, settings: SupervisionSettings) -> Rules:
        """The rules as the supervision settings give them."""
        return cls(settings.deadline_rules(), settings.report_period_days,
                   PeriodUnit(settings.report_period_unit))


def earliest_anchor(deadline_of: Callable[[date], date], day: date) -> date:
    """The earliest anchor whose deadline is ``day`` or later (``deadline_of`` must not
    decrease): an anchor before it has its deadline before ``day``."""
    anchor = day
    if deadline_of(anchor) >= day:
        while deadline_of(anchor - ONE_DAY) >= day:
            anchor -= ONE_DAY
            _bounded(anchor, day)
        return anchor
    while deadline_of(anchor) < day:
        anchor += ONE_DAY
        _bounded(anchor, day)
    return anchor


def _bounded(anchor: date, day: date) -> None:
    if abs((anchor - day).days) > _MAX_STEPS:
        raise ValueError(f"no anchor within {_MAX_STEPS} days of {day}: is the rule sane?")


def deadline_function(calendar: WorkingCalendar, rules: Rules, step: DueStep,
                      kind: OrganisationKind = OrganisationKind.ENTERPRISE
                      ) -> Callable[[date], date]:
    """The deadline of ``step`` as a function of its anchor day (``kind``: plan filing)."""
    if step is DueStep.PLAN_FILING:
        return lambda first: deadlines.plan_deadline(calendar, rules.deadlines, kind, first)
    if step is DueStep.REPORT_SIGNING:
        return lambda ended: report_period.last_day(calendar, ended, rules.report_days,
                                                    rules.report_unit)
    return lambda started: deadlines.results_deadline(calendar, rules.deadlines, started)


@dataclass(frozen=True)
class Cutoffs:
    """Anchor days before which a step's deadline falls before ``day``."""

    day: date
    plan: Mapping[OrganisationKind, date]
    report: date
    results: date


def cutoffs(calendar: WorkingCalendar, rules: Rules, day: date) -> Cutoffs:
    """The cut-offs for deadlines before ``day`` (today: the overdue ones)."""
    plan = {kind: earliest_anchor(deadline_function(calendar, rules, DueStep.PLAN_FILING,
                                                    kind), day)
            for kind in OrganisationKind}
    return Cutoffs(day, plan,
                   earliest_anchor(deadline_function(calendar, rules, DueStep.REPORT_SIGNING),
                                   day),
                   earliest_anchor(deadline_function(calendar, rules, DueStep.RESULTS_FILING),
                                   day))
