"""Batch deadlines at holiday and 调休 edges (2026 data from the State Council notice)."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from proctor.supervision.calendar import WorkingCalendar, YearNotEntered
from proctor.supervision.deadlines import (
    DeadlineRules,
    OrganisationKind,
    Step,
    StepStatus,
    check_plan_filing,
    check_publicity,
    check_results_filing,
    plan_deadline,
    publicity_days_elapsed,
    publicity_last_day,
    results_deadline,
)
from proctor.supervision.settings import SupervisionSettings
from proctor.supervision.year_entry import calendar_of, load_seed

ENTERPRISE, COLLEGE = OrganisationKind.ENTERPRISE, OrganisationKind.COLLEGE
AFTER_SPRING_FESTIVAL = date(2026, 3, 2)  # Monday; 春节 2-15..2-23, Saturdays 2-14, 2-28 worked


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return calendar_of(load_seed())


@pytest.fixture(scope="module")
def rules() -> DeadlineRules:
    return SupervisionSettings().deadline_rules()


def test_plan_lead_differs_by_organisation_kind(cal: WorkingCalendar,
                                                rules: DeadlineRules) -> None:
    assert plan_deadline(cal, rules, ENTERPRISE, AFTER_SPRING_FESTIVAL) == date(2026, 2, 3)
    assert plan_deadline(cal, rules, OrganisationKind.SOCIAL_TRAINING_ORG,
                         AFTER_SPRING_FESTIVAL) == date(2026, 2, 3)
    assert plan_deadline(cal, rules, COLLEGE, AFTER_SPRING_FESTIVAL) == date(2026, 2, 10)


def test_plan_filed_on_the_15th_working_day_is_on_time_on_the_14th_late(
        cal: WorkingCalendar, rules: DeadlineRules) -> None:
    today = date(2026, 3, 2)
    on_time = check_plan_filing(cal, rules, ENTERPRISE, AFTER_SPRING_FESTIVAL,
                                date(2026, 2, 3), today)
    assert (on_time.status, on_time.working_days, on_time.flagged) == (
        StepStatus.ON_TIME, 0, False)
    late = check_plan_filing(cal, rules, ENTERPRISE, AFTER_SPRING_FESTIVAL,
                             date(2026, 2, 4), today)
    assert (late.status, late.working_days, late.flagged) == (StepStatus.LATE, 1, True)
    # the same day is on time for a college (10 working days)
    college = check_plan_filing(cal, rules, COLLEGE, AFTER_SPRING_FESTIVAL,
                                date(2026, 2, 4), today)
    assert college.status is StepStatus.ON_TIME


def test_the_makeup_saturday_is_a_filing_day(cal: WorkingCalendar,
                                             rules: DeadlineRules) -> None:
    # a college's 10th working day before 2026-03-02 is 2026-02-10; the 6th is Saturday 2-14
    filed_saturday = check_plan_filing(cal, rules, COLLEGE, AFTER_SPRING_FESTIVAL,
                                       date(2026, 2, 14), date(2026, 3, 2))
    assert (filed_saturday.status, filed_saturday.working_days) == (StepStatus.LATE, 4)
    # a filing during the holiday counts from the next working day, 2-24
    in_holiday = check_plan_filing(cal, rules, COLLEGE, AFTER_SPRING_FESTIVAL,
                                   date(2026, 2, 18), date(2026, 3, 2))
    assert (in_holiday.status, in_holiday.working_days) == (StepStatus.LATE, 5)


def test_plan_not_filed_is_not_yet_due_then_missing(cal: WorkingCalendar,
                                                    rules: DeadlineRules) -> None:
    due = check_plan_filing(cal, rules, ENTERPRISE, AFTER_SPRING_FESTIVAL, None,
                            date(2026, 2, 3))
    assert (due.status, due.due, due.flagged) == (StepStatus.NOT_YET_DUE, date(2026, 2, 3),
                                                  False)
    missing = check_plan_filing(cal, rules, ENTERPRISE, AFTER_SPRING_FESTIVAL, None,
                                date(2026, 2, 16))  # in the holiday: 2-4..2-13 and Saturday 2-14
    assert (missing.status, missing.working_days, missing.flagged) == (
        StepStatus.MISSING, 9, True)
    zh, en = missing.describe()
    assert "逾期 9 个工作日" in zh and "overdue by 9 working days" in en


def test_publicity_over_national_day(cal: WorkingCalendar, rules: DeadlineRules) -> None:
    start = date(2026, 9, 28)  # Monday; 10-01..10-07 off, Saturday 10-10 worked
    assert publicity_last_day(cal, rules, start) == date(2026, 10, 10)
    assert publicity_days_elapsed(cal, start, date(2026, 10, 10)) == 4
    assert publicity_days_elapsed(cal, start, date(2026, 10, 11)) == 5
    assert publicity_days_elapsed(cal, start, start) == 0
    running = check_publicity(cal, rules, start, None, date(2026, 10, 10))
    assert running.status is StepStatus.NOT_YET_DUE
    assert check_publicity(cal, rules, start, None, date(2026, 10, 11)).status \
        is StepStatus.ON_TIME
    short = check_publicity(cal, rules, start, date(2026, 10, 9), date(2026, 10, 9))
    assert (short.status, short.working_days, short.flagged) == (StepStatus.CUT_SHORT, 2, True)
    full = check_publicity(cal, rules, start, date(2026, 10, 12), date(2026, 10, 12))
    assert full.status is StepStatus.ON_TIME


def test_results_filed_without_publicity_is_flagged(cal: WorkingCalendar,
                                                    rules: DeadlineRules) -> None:
    skipped = check_publicity(cal, rules, None, date(2026, 10, 12), date(2026, 10, 12))
    assert (skipped.step, skipped.status, skipped.flagged) == (
        Step.PUBLICITY, StepStatus.MISSING, True)
    assert check_publicity(cal, rules, None, None, date(2026, 10, 12)).status \
        is StepStatus.NOT_YET_DUE


def test_results_within_ten_working_days_after_publicity(cal: WorkingCalendar,
                                                         rules: DeadlineRules) -> None:
    start = date(2026, 2, 12)  # ends 2-26 (13th, Saturday 14th, 24th..26th)
    assert publicity_last_day(cal, rules, start) == date(2026, 2, 26)
    assert results_deadline(cal, rules, start) == date(2026, 3, 11)
    on_time = check_results_filing(cal, rules, start, date(2026, 3, 11), date(2026, 3, 20))
    assert on_time.status is StepStatus.ON_TIME
    late = check_results_filing(cal, rules, start, date(2026, 3, 14), date(2026, 3, 20))
    assert (late.status, late.working_days) == (StepStatus.LATE, 3)  # Saturday -> Monday 3-16


def test_publicity_length_is_configurable(cal: WorkingCalendar) -> None:
    three = SupervisionSettings(publicity_working_days=3).deadline_rules()
    assert publicity_last_day(cal, three, date(2026, 9, 28)) == date(2026, 10, 8)
    with pytest.raises(ValidationError, match="publicity_working_days"):
        SupervisionSettings(publicity_working_days=0)
    with pytest.raises(ValidationError):
        SupervisionSettings(plan_lead_days=3)  # type: ignore[call-arg]


def test_a_deadline_in_2027_fails_closed(cal: WorkingCalendar, rules: DeadlineRules) -> None:
    with pytest.raises(YearNotEntered, match="2027"):
        check_plan_filing(cal, rules, ENTERPRISE, date(2027, 1, 20), None, date(2026, 12, 1))
    with pytest.raises(YearNotEntered, match="2027"):
        results_deadline(cal, rules, date(2026, 12, 21))
