"""The complaint workflow (pure): which step each state allows, due days at the Spring
Festival's holiday and 调休 edges (2026 notice), the deadline flag, failing closed."""

from __future__ import annotations

from datetime import date

import pytest

from proctor.complaints.workflow import (
    SOURCES,
    ComplaintAction,
    ComplaintStepRefused,
    DeadlineFlag,
    DeadlineRules,
    DueFacts,
    countable,
    deadline_flag,
    extended_due,
    first_review_due,
    require_action,
    resolution_due,
    review_outcome,
)
from proctor.db.complaints import OPEN_STATES, ComplaintState
from proctor.supervision.calendar import WorkingCalendar, YearNotEntered
from proctor.supervision.year_entry import calendar_of, load_seed

S, A = ComplaintState, ComplaintAction
RULES = DeadlineRules()
ALLOWED = {(S.REGISTERED, A.REVIEW), (S.FIRST_REVIEW, A.INVESTIGATE),
           (S.INVESTIGATING, A.ATTACH_CLIP), (S.FIRST_REVIEW, A.EXTEND),
           (S.INVESTIGATING, A.EXTEND), (S.FIRST_REVIEW, A.RESOLVE),
           (S.INVESTIGATING, A.RESOLVE), (S.RESOLVED, A.CLOSE)}


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return calendar_of(load_seed())


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("action", list(A))
def test_every_state_and_action(state: ComplaintState, action: ComplaintAction) -> None:
    if (state, action) in ALLOWED:
        require_action(state, action)
        return
    with pytest.raises(ComplaintStepRefused) as refused:
        require_action(state, action)
    assert state.value in str(refused.value) and action.value in str(refused.value)


def test_the_table_is_what_the_test_expects() -> None:
    assert {(s, a) for a, sources in SOURCES.items() for s in sources} == ALLOWED
    assert S.CLOSED not in OPEN_STATES and len(OPEN_STATES) == 4


def test_a_review_accepts_or_resolves() -> None:
    assert review_outcome(True) is S.FIRST_REVIEW
    assert review_outcome(False) is S.RESOLVED


@pytest.mark.parametrize(("registered", "due"), [
    (date(2026, 2, 13), date(2026, 2, 25)),  # Fri; Sat 2-14 is worked, 2-15..2-23 holiday
    (date(2026, 2, 16), date(2026, 2, 26)),  # made during the holiday
    (date(2026, 3, 2), date(2026, 3, 5)),  # an ordinary Monday
])
def test_first_review_due_across_the_spring_festival(cal: WorkingCalendar, registered: date,
                                                     due: date) -> None:
    assert first_review_due(cal, RULES, registered) == due


def test_resolution_due_counts_the_makeup_saturday(cal: WorkingCalendar) -> None:
    assert resolution_due(cal, RULES, date(2026, 2, 24)) == date(2026, 3, 4)
    assert extended_due(cal, date(2026, 3, 4), 2) == date(2026, 3, 6)
    with pytest.raises(ValueError):
        extended_due(cal, date(2026, 3, 4), 0)


def test_first_review_overdue_the_day_after_its_due_day(cal: WorkingCalendar) -> None:
    facts = DueFacts(S.REGISTERED, date(2026, 2, 25), None)
    assert deadline_flag(cal, facts, date(2026, 2, 25)) is None
    assert deadline_flag(cal, facts, date(2026, 2, 26)) is DeadlineFlag.FIRST_REVIEW_OVERDUE


@pytest.mark.parametrize("state", [S.FIRST_REVIEW, S.INVESTIGATING])
def test_resolution_overdue(cal: WorkingCalendar, state: ComplaintState) -> None:
    facts = DueFacts(state, date(2026, 2, 25), date(2026, 3, 4))
    assert deadline_flag(cal, facts, date(2026, 3, 4)) is None
    assert deadline_flag(cal, facts, date(2026, 3, 5)) is DeadlineFlag.RESOLUTION_OVERDUE


@pytest.mark.parametrize("state", [S.RESOLVED, S.CLOSED])
def test_a_resolved_complaint_is_never_overdue(cal: WorkingCalendar,
                                               state: ComplaintState) -> None:
    facts = DueFacts(state, date(2026, 2, 25), date(2026, 3, 4))
    assert deadline_flag(cal, facts, date(2026, 6, 1)) is None


def test_a_due_day_in_a_year_not_entered_is_flagged_not_guessed(cal: WorkingCalendar) -> None:
    assert 2027 not in cal.years
    with pytest.raises(YearNotEntered):
        first_review_due(cal, RULES, date(2026, 12, 29))  # Wed, Thu, then 2027
    due = countable(lambda: first_review_due(cal, RULES, date(2026, 12, 29)))
    assert due is None
    facts = DueFacts(S.REGISTERED, due, None)
    assert deadline_flag(cal, facts, date(2026, 12, 29)) is DeadlineFlag.CALENDAR_MISSING
    on_time = DueFacts(S.REGISTERED, date(2026, 12, 31), None)
    assert deadline_flag(cal, on_time, date(2027, 1, 4)) is DeadlineFlag.CALENDAR_MISSING
