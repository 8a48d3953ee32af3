"""The facts a batch transition is decided on, gathered from a real (SQLite) database with
the seeded working calendar (2004-2026): sessions without rooms and rooms without a roster
counted; the plan filed on time only up to its deadline; the supervisors a revealed draw
needs and those assigned; whether sessions started or ended; the results filed on time;
the gate's facts only for the transitions that ask for them; and the calendar consulted
only when the batch is in a state the transition starts from (a wrong-state refusal never
fails for a year not entered)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session
from support.batches import ADMIN, World, at, planned_batch
from support.draws import RULES as DRAW_RULES
from support.draws import filed_world

from proctor.supervision import batches, draw_service
from proctor.supervision.batch_facts import gather
from proctor.supervision.calendar import YearNotEntered
from proctor.supervision.deadlines import StepStatus
from proctor.supervision.records import Batch
from proctor.supervision.states import Action, BatchState

RULES = DRAW_RULES.deadlines
JANUARY = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)  # long before the plan's deadline
FIRST = at("2026-03-02 09:00")


@pytest.fixture
def draft(db: Session, world: World) -> Batch:
    """planned_batch (a session on 2026-03-02 in the first room, with its roster), plus a
    session without rooms and one whose room has no roster."""
    batch = planned_batch(db, world)
    batches.add_session(db, ADMIN, batch.id, "无考场", at("2026-03-03 09:00"),
                        at("2026-03-03 11:00"))
    bare = batches.add_session(db, ADMIN, batch.id, "无名单", at("2026-03-04 09:00"),
                               at("2026-03-04 11:00"))
    batches.add_room(db, ADMIN, bare.id, world.rooms[1], 20)
    db.commit()
    db.refresh(batch)
    return batch


def test_the_plan_facts_of_a_draft(db: Session, draft: Batch) -> None:
    gathered = gather(db, draft, Action.FILE, RULES, JANUARY)
    facts = gathered.facts
    assert (facts.sessions, facts.sessions_without_rooms, facts.rooms_without_roster) == (
        3, 1, 1)
    assert gathered.plan is not None and facts.plan_filed_on_time
    assert (facts.supervisors_required, facts.supervisors_drawn) == (1, 0)
    assert not facts.any_session_started and not facts.all_sessions_ended
    assert not facts.gate.report_signed and facts.gate.unexplained_gaps == 0  # not asked


def test_filing_after_the_plan_deadline_is_not_on_time(db: Session, draft: Batch) -> None:
    late = gather(db, draft, Action.FILE, RULES, FIRST - timedelta(days=1))
    assert late.plan is not None and late.plan.status is StepStatus.LATE
    assert not late.facts.plan_filed_on_time


def test_sessions_started_and_ended_by_the_moment(db: Session, draft: Batch) -> None:
    during = gather(db, draft, Action.END, RULES, FIRST + timedelta(hours=1)).facts
    assert during.any_session_started and not during.all_sessions_ended
    after = gather(db, draft, Action.END, RULES, at("2026-03-04 11:00")).facts
    assert after.any_session_started and after.all_sessions_ended


def test_the_calendar_is_consulted_only_from_a_state_the_transition_starts_from(
        db: Session, world: World) -> None:
    batch = planned_batch(db, world, "2031-03-03 09:00", "2031-03-03 11:00")
    now = datetime(2031, 1, 6, 2, 0, tzinfo=UTC)
    with pytest.raises(YearNotEntered, match="2031"):
        gather(db, batch, Action.FILE, RULES, now)
    batch.state = BatchState.FILED
    db.commit()
    gathered = gather(db, batch, Action.FILE, RULES, now)  # refused for its state instead
    assert gathered.plan is None and gathered.facts.plan_filed_on_time


def test_the_supervisors_a_revealed_draw_needs_and_those_assigned(db: Session) -> None:
    filed = filed_world(db)
    draw_service.draw_for_batch(db, ADMIN, filed.batch, 3, DRAW_RULES)
    db.commit()
    batch = db.get_one(Batch, filed.batch)
    facts = gather(db, batch, Action.START, RULES, JANUARY).facts
    assert (facts.supervisors_required, facts.supervisors_drawn) == (3, 3)


def test_results_and_the_gate_for_a_batch_in_publicity(db: Session, world: World) -> None:
    batch = planned_batch(db, world)
    batch.state, batch.publicity_started_on = BatchState.PUBLICITY, date(2026, 4, 13)
    db.commit()
    in_time = gather(db, batch, Action.FILE_RESULTS, RULES,
                     datetime(2026, 4, 21, 2, 0, tzinfo=UTC))
    assert in_time.results is not None and in_time.facts.results_filed_on_time
    assert in_time.facts.gate.unexplained_gaps >= 1  # the gate is asked: the session's gaps
    assert in_time.facts.gate.publicity_days_required == RULES.publicity_days
    late = gather(db, batch, Action.FILE_RESULTS, RULES, datetime(2026, 6, 1, 2, 0, tzinfo=UTC))
    assert late.results is not None and late.results.status is StepStatus.LATE
    assert not late.facts.results_filed_on_time
