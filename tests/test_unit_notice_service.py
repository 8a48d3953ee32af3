"""The notices of a scope on a real (SQLite) database with the seeded working calendar
(2004-2026): a draft batch's plan filing due soon within the horizon, overdue after it and
absent long before; a complaint's first review or resolution by its state; nothing for a
resolved complaint or one whose deadline could not be counted; only complaint handlers get
complaint notices, and only in their scope; ``since_days`` drops older deadlines; and
without the calendar of a year the horizon reaches, batch notices are left out with the
reason while complaints are still looked ahead by calendar days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy.orm import Session
from support.batches import World, planned_batch
from support.draws import RULES as DRAW_RULES
from support.places import add_user, build_place

from proctor.auth.scope import Scope, load_scope
from proctor.db.complaints import Complaint, ComplaintChannel, ComplaintState
from proctor.db.models import Role, Site
from proctor.oversight.calendar_cache import current_calendar
from proctor.oversight.cutoffs import DueStep, Rules, deadline_function
from proctor.oversight.notice_service import due_notices
from proctor.oversight.notices import ComplaintStep, Notice, Stage, Subject
from proctor.supervision.china_time import china_day
from proctor.supervision.report_period import PeriodUnit

RULES = Rules(DRAW_RULES.deadlines, 10, PeriodUnit.WORKING_DAYS)
HORIZON = 5  # working days


def noon(day: date) -> datetime:
    """Noon in China on ``day``."""
    return datetime.combine(day, time(4, 0), UTC)


@dataclass(frozen=True)
class Office:
    """A draft batch of the world's organisation and its plan filing deadline; scopes of
    an officer of its site, an officer of another site and the site's operator."""

    batch: int
    plan_due: date
    officer: Scope
    elsewhere: Scope
    operator: Scope


@pytest.fixture
def office(db: Session, world: World) -> Office:
    batch = planned_batch(db, world)
    first = china_day(batch.sessions[0].starts_at)
    plan_due = deadline_function(current_calendar(db), RULES, DueStep.PLAN_FILING)(first)
    site = db.get_one(Site, world.site)
    other = build_place(db, "别处").site
    users = (add_user(db, "officer", Role.COMPLAINT_OFFICER, [site]),
             add_user(db, "elsewhere", Role.COMPLAINT_OFFICER, [other]),
             add_user(db, "operator", Role.ORG_OPERATOR, [site]))
    db.commit()
    officer, elsewhere, operator = (load_scope(db, user) for user in users)
    return Office(batch.id, plan_due, officer, elsewhere, operator)


def complaint(db: Session, world: World, state: ComplaintState, first: date | None = None,
              resolution: date | None = None) -> int:
    """A complaint about the world's organisation in ``state`` with these due days."""
    row = Complaint(tracking_code=f"TC-{state.value}-{first}-{resolution}",
                    organisation_id=world.organisation, text="考场内有人代考",
                    channel=ComplaintChannel.PHONE, registered_by="cli:admin", state=state,
                    first_review_due=first, resolution_due=resolution)
    db.add(row)
    db.commit()
    return row.id


def found(db: Session, scope: Scope | None, now: datetime,
          since_days: int | None = None) -> list[tuple[Subject, int, str, Stage]]:
    """(subject, id, step, stage) of each notice for ``scope`` at ``now``."""
    notices: list[Notice] = due_notices(db, scope, RULES, HORIZON, now, since_days).notices
    return [(n.subject, n.subject_id, n.step.value, n.stage) for n in notices]


def test_a_plan_filing_is_due_soon_then_overdue(db: Session, office: Office) -> None:
    plan = (Subject.BATCH, office.batch, DueStep.PLAN_FILING.value)
    assert found(db, office.officer, noon(office.plan_due)) == [(*plan, Stage.DUE_SOON)]
    assert found(db, None, noon(office.plan_due - timedelta(days=1))) == [
        (*plan, Stage.DUE_SOON)]
    assert found(db, office.officer, noon(office.plan_due + timedelta(days=1))) == [
        (*plan, Stage.OVERDUE)]
    assert found(db, office.officer, noon(office.plan_due - timedelta(days=40))) == []


def test_a_batch_outside_the_scope_gives_no_notice(db: Session, office: Office) -> None:
    assert found(db, office.elsewhere, noon(office.plan_due + timedelta(days=1))) == []


def test_since_days_drops_the_older_deadlines(db: Session, office: Office) -> None:
    later = noon(office.plan_due + timedelta(days=30))
    assert [stage for *_, stage in found(db, None, later)] == [Stage.OVERDUE]
    assert found(db, None, later, since_days=10) == []
    assert len(found(db, None, later, since_days=31)) == 1


def test_complaint_notices_follow_the_step_of_the_state(db: Session, world: World,
                                                        office: Office) -> None:
    now = noon(date(2026, 6, 10))  # a Wednesday, long after the batch's deadline
    today = china_day(now)
    registered = complaint(db, world, ComplaintState.REGISTERED, first=today)
    late = complaint(db, world, ComplaintState.INVESTIGATING, first=today - timedelta(20),
                     resolution=today - timedelta(days=1))
    complaint(db, world, ComplaintState.RESOLVED, first=today, resolution=today)
    complaint(db, world, ComplaintState.FIRST_REVIEW, first=today, resolution=None)
    complaint(db, world, ComplaintState.REGISTERED, first=today + timedelta(days=60))
    notices = [n for n in found(db, office.officer, now, since_days=30)
               if n[0] is Subject.COMPLAINT]
    assert notices == [
        (Subject.COMPLAINT, late, ComplaintStep.RESOLUTION.value, Stage.OVERDUE),
        (Subject.COMPLAINT, registered, ComplaintStep.FIRST_REVIEW.value, Stage.DUE_SOON)]


def test_complaint_notices_are_for_handlers_in_scope_only(db: Session, world: World,
                                                          office: Office) -> None:
    now = noon(date(2026, 6, 10))
    number = complaint(db, world, ComplaintState.REGISTERED, first=china_day(now))
    mine = [(Subject.COMPLAINT, number, ComplaintStep.FIRST_REVIEW.value, Stage.DUE_SOON)]
    assert found(db, office.officer, now, since_days=1) == mine
    assert found(db, None, now, since_days=1) == mine  # the dispatcher: everyone's
    assert found(db, office.operator, now, since_days=1) == []  # the accused organisation's
    assert found(db, office.elsewhere, now, since_days=1) == []


def test_without_next_years_calendar_batches_are_left_out_with_the_reason(
        db: Session, world: World, office: Office) -> None:
    now = noon(date(2026, 12, 29))  # five working days ahead reach 2027, not entered
    number = complaint(db, world, ComplaintState.REGISTERED, first=date(2027, 1, 2))
    answer = due_notices(db, None, RULES, HORIZON, now)
    assert answer.today == date(2026, 12, 29)
    assert answer.deadlines_unavailable is not None and "2027" in answer.deadlines_unavailable
    assert [(n.subject, n.subject_id) for n in answer.notices] == [(Subject.COMPLAINT, number)]
    assert "2027-01-02" in answer.notices[0].message()
