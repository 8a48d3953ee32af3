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
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from proctor.db.models import Camera, Segment
from proctor.db.organisations import Organisation
from proctor.db.organisations import OrganisationKind as OrgKind
from proctor.recording.coverage import coverage
from proctor.supervision import deadlines
from proctor.supervision.batch_events import events_of_batch_query
from proctor.supervision.calendar import WorkingCalendar
from proctor.supervision.calendar_service import load_calendar
from proctor.supervision.deadlines import DeadlineRules, OrganisationKind, StepCheck, StepStatus
from proctor.supervision.gate import GateFacts
from proctor.supervision.oversight import (
    Assignment,
    Draw,
    DrawKind,
    EventReview,
    GapExplanation,
    Report,
)
from proctor.supervision.records import Batch, ExamSession
from proctor.supervision.roster_service import has_roster
from proctor.supervision.states import TRANSITIONS, Action, BatchFacts

CHINA = ZoneInfo("Asia/Shanghai")
GATE_ACTIONS = frozenset({Action.SIGN_REPORT, Action.OPEN_PUBLICITY, Action.FILE_RESULTS,
                          Action.ACCEPT})
DEADLINE_KIND = {OrgKind.ENTERPRISE: OrganisationKind.ENTERPRISE,
                 OrgKind.COLLEGE: OrganisationKind.COLLEGE,
                 OrgKind.SOCIAL_ORG: OrganisationKind.SOCIAL_TRAINING_ORG}


def china_day(moment: datetime) -> date:
    """The calendar day of ``moment`` in China."""
    return moment.astimezone(CHINA).date()


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


def _unreviewed(db: Session, batch: Batch) -> int:
    events = events_of_batch_query(batch.id).subquery()
    reviewed = exists().where(EventReview.event_id == events.c.id,
                              EventReview.batch_id == batch.id)
    return db.scalar(select(func.count()).select_from(events).where(~reviewed)) or 0


def _unexplained_gaps(db: Session, batch: Batch, now: datetime) -> int:
    """Recording gaps in the elapsed part of each session window, per camera of its rooms,
    that no explanation of the batch covers."""
    explained = db.execute(select(GapExplanation.camera_id, GapExplanation.starts_at,
                                  GapExplanation.ends_at)
                           .where(GapExplanation.batch_id == batch.id)).all()
    count = 0
    for session in batch.sessions:
        start_ms = int(session.starts_at.timestamp() * 1000)
        end_ms = int(min(session.ends_at, now).timestamp() * 1000)
        cameras = db.scalars(select(Camera.id).where(
            Camera.room_id.in_([room.room_id for room in session.rooms])))
        for camera_id in cameras:
            spans = [(a, b) for a, b in db.execute(select(Segment.start_ms, Segment.end_ms)
                     .where(Segment.camera_id == camera_id, Segment.end_ms > start_ms,
                            Segment.start_ms < end_ms))]
            for gap_start, gap_end in coverage(spans, start_ms, end_ms).gaps:
                count += not any(cam == camera_id and a.timestamp() * 1000 <= gap_start
                                 and b.timestamp() * 1000 >= gap_end
                                 for cam, a, b in explained)
    return count


def gate_facts(db: Session, batch: Batch, calendar: WorkingCalendar, rules: DeadlineRules,
               now: datetime) -> GateFacts:
    """What the results gate needs to know about the batch at ``now``."""
    report = db.scalars(select(Report).where(Report.batch_id == batch.id,
                                             Report.signed_at.is_not(None))
                        .order_by(Report.version.desc()).limit(1)).first()
    started = batch.publicity_started_on
    elapsed = 0 if started is None else deadlines.publicity_days_elapsed(
        calendar, started, batch.results_filed_on or china_day(now))
    return GateFacts(
        report_signed=report is not None, conclusion=report.conclusion if report else None,
        unreviewed_events=_unreviewed(db, batch),
        unexplained_gaps=_unexplained_gaps(db, batch, now),
        publicity_days_elapsed=elapsed, publicity_days_required=rules.publicity_days,
        open_complaints=0)  # complaints arrive with "Supervision II"


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
           now: datetime) -> Gathered:
    """The facts ``action`` is decided on, for ``batch`` at ``now``."""
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
    gate = (gate_facts(db, batch, calendar, rules, now)
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
