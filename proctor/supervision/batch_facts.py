"""Gathering a :class:`~proctor.supervision.states.BatchFacts` snapshot from the database.

Only what the requested transition needs is computed from the working calendar, and only
when the batch is in a state the transition starts from: a wrong-state refusal never
depends on the calendar, and a year not entered fails closed only where a deadline really
falls in it. Days are counted in China's time zone (Asia/Shanghai): a session starting at
01:00 on 3 March local time starts on 3 March, whatever its UTC date.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from proctor.db.organisations import Organisation
from proctor.db.organisations import OrganisationKind as OrgKind
from proctor.supervision import deadlines
from proctor.supervision.batch_coverage import DEFAULT_GAP_TOLERANCE_S
from proctor.supervision.calendar import WorkingCalendar
from proctor.supervision.calendar_service import load_calendar
from proctor.supervision.china_time import china_day
from proctor.supervision.deadlines import DeadlineRules, OrganisationKind, StepCheck, StepStatus
from proctor.supervision.gate import GateFacts
from proctor.supervision.oversight import Assignment, Draw, DrawKind
from proctor.supervision.records import Batch, ExamSession
from proctor.supervision.results_gate import gate_facts
from proctor.supervision.roster_service import has_roster
from proctor.supervision.states import TRANSITIONS, Action, BatchFacts

GATE_ACTIONS = frozenset({Action.SIGN_REPORT, Action.OPEN_PUBLICITY, Action.FILE_RESULTS,
                          Action.ACCEPT})
DEADLINE_KIND = {OrgKind.ENTERPRISE: OrganisationKind.ENTERPRISE,
                 OrgKind.COLLEGE: OrganisationKind.COLLEGE,
                 OrgKind.SOCIAL_ORG: OrganisationKind.SOCIAL_TRAINING_ORG}


@dataclass(frozen=True)
class Gathered:
    """The facts, and the deadline checks behind them (to flag and audit)."""

    facts: BatchFacts
    plan: StepCheck | None = None
    results: StepCheck | None = None


def _supervisors(db: Session, batch: Batch) -> tuple[int, int]:
    """(required, drawn): the N of the batch's latest revealed supervisor draw (1 without
    one), and the supervisors assigned."""
    snapshot = db.scalar(select(Draw.snapshot).where(
        Draw.batch_id == batch.id, Draw.kind == DrawKind.SUPERVISORS,
        Draw.seed.is_not(None)).order_by(Draw.id.desc()).limit(1))
    required = int(json.loads(snapshot)["supervisors_needed"]) if snapshot else 1
    drawn = db.scalar(select(func.count()).where(Assignment.batch_id == batch.id)) or 0
    return required, drawn


def _plan_check(db: Session, batch: Batch, calendar: WorkingCalendar, rules: DeadlineRules,
                today: date) -> StepCheck | None:
    if not batch.sessions:
        return None
    organisation = db.get(Organisation, batch.organisation_id)
    assert organisation is not None  # a foreign key
    first = china_day(min(s.starts_at for s in batch.sessions))
    return deadlines.check_plan_filing(calendar, rules, DEADLINE_KIND[organisation.kind],
                                       first, today, today)


def gather(db: Session, batch: Batch, action: Action, rules: DeadlineRules,
           now: datetime, gap_tolerance_s: float = DEFAULT_GAP_TOLERANCE_S) -> Gathered:
    """The facts ``action`` is decided on, for ``batch`` at ``now`` (the results gate's
    through :func:`~proctor.supervision.results_gate.gate_facts`)."""
    sessions: list[ExamSession] = batch.sessions
    rooms = [room for session in sessions for room in session.rooms]
    required, drawn = _supervisors(db, batch)
    applies = batch.state in TRANSITIONS[action].sources
    calendar = load_calendar(db) if applies else None
    today = china_day(now)
    plan = results = None
    if calendar is not None and action is Action.FILE:
        plan = _plan_check(db, batch, calendar, rules, today)
    if calendar is not None and action is Action.FILE_RESULTS and batch.publicity_started_on:
        results = deadlines.check_results_filing(calendar, rules, batch.publicity_started_on,
                                                 today, today)
    gate = (gate_facts(db, batch, calendar, rules, now, gap_tolerance_s)
            if calendar is not None and action in GATE_ACTIONS
            else GateFacts(False, None, 0, 0, 0, 0, 0))  # not asked by this transition
    facts = BatchFacts(
        sessions=len(sessions),
        sessions_without_rooms=sum(not session.rooms for session in sessions),
        rooms_without_roster=sum(not has_roster(room) for room in rooms),
        plan_filed_on_time=plan is None or plan.status is StepStatus.ON_TIME,
        supervisors_required=required, supervisors_drawn=drawn,
        any_session_started=any(s.starts_at <= now for s in sessions),
        all_sessions_ended=bool(sessions) and all(s.ends_at <= now for s in sessions),
        results_filed_on_time=results is None or results.status is StepStatus.ON_TIME,
        gate=gate)
    return Gathered(facts, plan, results)
