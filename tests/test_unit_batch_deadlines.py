"""A batch's deadlines as the console shows them, on a real (SQLite) database with the
seeded working calendar (2004-2026): none before a session is planned; plan filing not yet
due, missing or late by working days; publicity and results filing once publicity starts,
publicity cut short by an early filing; a step reaching a year not entered names the year
while the others are still shown; and only a batch in the caller's scope."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session
from support.batches import ADMIN, World, planned_batch
from support.draws import RULES as DRAW_RULES
from support.places import add_user

from proctor.auth.scope import Scope, load_scope
from proctor.db.models import Role, Site
from proctor.db.organisations import OrganisationKind
from proctor.errors import Forbidden, NotFound
from proctor.supervision import batches
from proctor.supervision.batch_deadlines import Deadline, batch_deadlines
from proctor.supervision.batch_facts import DEADLINE_KIND
from proctor.supervision.calendar_service import load_calendar
from proctor.supervision.deadlines import Step, StepStatus
from proctor.supervision.records import Batch
from proctor.supervision.report.terms import Level, Mode

RULES = DRAW_RULES.deadlines  # plan 15 working days ahead, publicity 5, results 10
FIRST_SESSION = date(2026, 3, 2)  # planned_batch's session day


@pytest.fixture
def admin(db: Session) -> Scope:
    return load_scope(db, add_user(db, "administrator", Role.ADMIN, []))


@pytest.fixture
def batch(db: Session, world: World) -> Batch:
    return planned_batch(db, world)


def shown(db: Session, scope: Scope, batch: Batch, today: date) -> dict[Step, Deadline]:
    return {d.step: d for d in batch_deadlines(db, scope, batch.id, RULES, today)}


def test_a_batch_without_sessions_has_no_deadline_yet(db: Session, world: World,
                                                      admin: Scope) -> None:
    empty = batches.create_batch(db, ADMIN, world.organisation, "车工", "6-18-01-01",
                                 Level.FOUR, Mode.PRACTICAL)
    assert batch_deadlines(db, admin, empty.id, RULES, FIRST_SESSION) == []


def test_plan_filing_is_not_yet_due_then_missing_by_working_days(db: Session, admin: Scope,
                                                                 batch: Batch) -> None:
    calendar = load_calendar(db)
    early = shown(db, admin, batch, date(2026, 1, 5))
    assert list(early) == [Step.PLAN_FILING]
    plan = early[Step.PLAN_FILING]
    assert plan.status is StepStatus.NOT_YET_DUE and not plan.flagged
    assert plan.due is not None
    lead = RULES.plan_lead[DEADLINE_KIND[OrganisationKind.ENTERPRISE]]  # the world's kind
    assert calendar.working_days_between(plan.due, FIRST_SESSION) == lead
    assert str(plan.due) in plan.zh and str(plan.due) in plan.en
    late_day = calendar.add_working_days(plan.due, 3)
    missing = shown(db, admin, batch, late_day)[Step.PLAN_FILING]
    assert (missing.status, missing.working_days, missing.flagged) == (
        StepStatus.MISSING, 3, True)
    assert "缺失" in missing.zh and "overdue by 3 working days" in missing.en


def test_a_plan_filed_late_says_by_how_many_working_days(db: Session, admin: Scope,
                                                         batch: Batch) -> None:
    due = shown(db, admin, batch, FIRST_SESSION)[Step.PLAN_FILING].due
    assert due is not None
    batch.plan_filed_on = load_calendar(db).add_working_days(due, 2)
    db.commit()
    late = shown(db, admin, batch, FIRST_SESSION)[Step.PLAN_FILING]
    assert (late.status, late.working_days, late.flagged) == (StepStatus.LATE, 2, True)
    batch.plan_filed_on = due - timedelta(days=30)
    db.commit()
    assert shown(db, admin, batch, FIRST_SESSION)[Step.PLAN_FILING].status is \
        StepStatus.ON_TIME


def test_publicity_and_results_once_publicity_starts(db: Session, admin: Scope,
                                                     batch: Batch) -> None:
    calendar = load_calendar(db)
    started = date(2026, 4, 13)  # a Monday
    batch.publicity_started_on = started
    db.commit()
    running = shown(db, admin, batch, started)
    assert list(running) == [Step.PLAN_FILING, Step.PUBLICITY, Step.RESULTS_FILING]
    assert running[Step.PUBLICITY].status is StepStatus.NOT_YET_DUE
    assert running[Step.PUBLICITY].due == calendar.add_working_days(started,
                                                                    RULES.publicity_days)
    assert running[Step.RESULTS_FILING].status is StepStatus.NOT_YET_DUE
    batch.results_filed_on = calendar.add_working_days(started, 2)  # one full day ran
    db.commit()
    filed = shown(db, admin, batch, batch.results_filed_on)
    publicity = filed[Step.PUBLICITY]
    assert (publicity.status, publicity.flagged) == (StepStatus.CUT_SHORT, True)
    assert publicity.working_days == RULES.publicity_days - 1  # the filing day is not over
    assert filed[Step.RESULTS_FILING].status is StepStatus.ON_TIME


def test_a_year_not_entered_is_named_and_the_other_steps_still_shown(
        db: Session, admin: Scope, batch: Batch) -> None:
    batch.publicity_started_on = date(2026, 12, 28)  # its working days run into 2027
    db.commit()
    steps = shown(db, admin, batch, date(2026, 12, 28))
    assert steps[Step.PLAN_FILING].status is not None
    for step in (Step.PUBLICITY, Step.RESULTS_FILING):
        unknown = steps[step]
        assert (unknown.due, unknown.status, unknown.year_missing) == (None, None, 2027)
        assert unknown.flagged and "2027 年工作日历未录入" in unknown.zh
        assert "no 2027" in unknown.en


def test_only_a_batch_in_scope(db: Session, world: World, batch: Batch) -> None:
    stranger = load_scope(db, add_user(db, "stranger", Role.SUPERVISOR, []))
    with pytest.raises(Forbidden, match=f"may not see batch {batch.id}"):
        batch_deadlines(db, stranger, batch.id, RULES, FIRST_SESSION)
    with pytest.raises(NotFound):
        batch_deadlines(db, stranger, 2**63 - 1, RULES, FIRST_SESSION)
    operator = load_scope(db, add_user(db, "operator", Role.ORG_OPERATOR,
                                       [db.get_one(Site, world.site)]))
    assert [d.step for d in batch_deadlines(db, operator, batch.id, RULES, FIRST_SESSION)] == [
        Step.PLAN_FILING]
