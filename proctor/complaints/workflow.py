"""How a complaint moves, and when each step is due (pure).

    registered ─review→ first_review ─investigate→ investigating ─resolve→ resolved
      ─close→ closed;   registered ─review(rejected)→ resolved  (不予受理, with the reason)

- **First review** (初审) is due 3 working days after registration: ``first_review_due =
  add_working_days(registered_day, 3)``; the day of registration does not count, and a
  complaint made on a holiday counts from the next working day's start like any other.
- **Resolution** (处理结果) is due 7 working days after the first review:
  ``add_working_days(reviewed_day, 7)``. It may be extended, once or more, each time by some
  working days with a reason; every extension is recorded and audited.
- A step is **overdue** once today is past its due day while it is not done. Days are China
  calendar days. A due day in a year the working calendar lacks is not guessed: it stays
  unknown and the complaint is flagged ``calendar_missing`` until the year is entered (fail
  closed; a complaint is never refused for it).

A complaint is *open* until it is closed: an open complaint about a batch pauses its
publicity and blocks its results gate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from proctor.db.complaints import ComplaintState
from proctor.errors import Conflict
from proctor.supervision.calendar import WorkingCalendar, YearNotEntered

STATE_LABELS: dict[ComplaintState, str] = {
    ComplaintState.REGISTERED: "已登记", ComplaintState.FIRST_REVIEW: "已初审",
    ComplaintState.INVESTIGATING: "调查中", ComplaintState.RESOLVED: "已处理",
    ComplaintState.CLOSED: "已办结",
}


class ComplaintAction(StrEnum):
    """What an officer asks to do to a complaint."""

    REVIEW = "review"  # 初审: accept for handling (or reject, which resolves it)
    INVESTIGATE = "investigate"
    ATTACH_CLIP = "attach_clip"
    EXTEND = "extend"
    RESOLVE = "resolve"
    CLOSE = "close"


_S = ComplaintState
SOURCES: dict[ComplaintAction, frozenset[ComplaintState]] = {
    ComplaintAction.REVIEW: frozenset({_S.REGISTERED}),
    ComplaintAction.INVESTIGATE: frozenset({_S.FIRST_REVIEW}),
    ComplaintAction.ATTACH_CLIP: frozenset({_S.INVESTIGATING}),
    ComplaintAction.EXTEND: frozenset({_S.FIRST_REVIEW, _S.INVESTIGATING}),
    ComplaintAction.RESOLVE: frozenset({_S.FIRST_REVIEW, _S.INVESTIGATING}),
    ComplaintAction.CLOSE: frozenset({_S.RESOLVED}),
}
TARGETS: dict[ComplaintAction, ComplaintState] = {
    ComplaintAction.INVESTIGATE: _S.INVESTIGATING, ComplaintAction.RESOLVE: _S.RESOLVED,
    ComplaintAction.CLOSE: _S.CLOSED,
}


class ComplaintStepRefused(Conflict):
    """The action is not allowed in the complaint's state (HTTP 409)."""


def require_action(state: ComplaintState, action: ComplaintAction) -> None:
    """Raise :class:`ComplaintStepRefused`, naming the state and the states that allow it,
    unless ``action`` may be taken in ``state``."""
    sources = SOURCES[action]
    if state in sources:
        return
    allowed = "、".join(f"{STATE_LABELS[s]} ({s.value})" for s in ComplaintState
                       if s in sources)
    raise ComplaintStepRefused(
        f"「{STATE_LABELS[state]}」({state.value}) 状态下不能执行 '{action.value}'；"
        f"需处于 / allowed only in: {allowed}")


def review_outcome(accepted: bool) -> ComplaintState:
    """The state a first review leads to: handled on, or resolved as not accepted."""
    return _S.FIRST_REVIEW if accepted else _S.RESOLVED


def target_of(action: ComplaintAction) -> ComplaintState:
    """The state ``action`` leads to (review: see :func:`review_outcome`)."""
    return TARGETS[action]


@dataclass(frozen=True)
class DeadlineRules:
    """The working days of the two steps (``ComplaintSettings.deadline_rules()``)."""

    first_review_days: int = 3
    resolution_days: int = 7


def first_review_due(calendar: WorkingCalendar, rules: DeadlineRules, registered: date) -> date:
    """The last day the first review may be done for a complaint registered that day."""
    return calendar.add_working_days(registered, rules.first_review_days)


def resolution_due(calendar: WorkingCalendar, rules: DeadlineRules, reviewed: date) -> date:
    """The last day the result may be given for a complaint first reviewed that day."""
    return calendar.add_working_days(reviewed, rules.resolution_days)


def extended_due(calendar: WorkingCalendar, due: date, working_days: int) -> date:
    """The resolution deadline moved on by ``working_days`` (at least 1)."""
    if working_days < 1:
        raise ValueError("an extension is at least one working day")
    return calendar.add_working_days(due, working_days)


class DeadlineFlag(StrEnum):
    """Why an open complaint is flagged on ``today``."""

    FIRST_REVIEW_OVERDUE = "first_review_overdue"  # 初审逾期
    RESOLUTION_OVERDUE = "resolution_overdue"  # 办理逾期
    CALENDAR_MISSING = "calendar_missing"  # a due day cannot be counted: flagged, not guessed


@dataclass(frozen=True)
class DueFacts:
    """What the flag needs: the state and the due days (``None``: not countable)."""

    state: ComplaintState
    first_review_due: date | None
    resolution_due: date | None


def deadline_flag(calendar: WorkingCalendar, facts: DueFacts,
                  today: date) -> DeadlineFlag | None:
    """The flag of the complaint on ``today``, if any.

    Fail closed: a step waiting on a due day that could not be counted (its year not
    entered), or a ``today`` in a year not entered, is flagged ``calendar_missing``, never
    taken as on time."""
    if facts.state is _S.REGISTERED:
        due, late = facts.first_review_due, DeadlineFlag.FIRST_REVIEW_OVERDUE
    elif facts.state in (_S.FIRST_REVIEW, _S.INVESTIGATING):
        due, late = facts.resolution_due, DeadlineFlag.RESOLUTION_OVERDUE
    else:
        return None
    if due is None or today.year not in calendar.years:
        return DeadlineFlag.CALENDAR_MISSING
    return late if today > due else None


def countable(compute: Callable[[], date]) -> date | None:
    """``compute()``, or ``None`` when the calendar lacks a year it needs (the complaint is
    then flagged, see :func:`deadline_flag`; registration itself is never refused)."""
    try:
        return compute()
    except YearNotEntered:
        return None
