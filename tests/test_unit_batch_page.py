"""A region's page of batches on a real (SQLite) database with the seeded working calendar:
each batch's overdue steps, coverage ratio (none until computed, none for nothing expected)
and alerts (events of its cameras inside its session windows only); filtering by state and
by overdue, each order with the uncomputed last, the pages and the total; without today's
calendar year no step is overdue and the page says why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session
from support.batches import World, at, build_world, planned_batch
from support.drawn import SIMING, XIAMEN, xiamen_regions
from support.draws import RULES as DRAW_RULES
from support.places import add_user

from proctor.auth.scope import Scope, load_scope
from proctor.db.models import Event, Role
from proctor.oversight.batch_page import BatchQuery, BatchSort, alert_counts, batch_page
from proctor.oversight.cutoffs import DueStep, Rules
from proctor.oversight.models import BatchCoverageTotal
from proctor.supervision.records import Batch
from proctor.supervision.report_period import PeriodUnit
from proctor.supervision.states import BatchState

RULES = Rules(DRAW_RULES.deadlines, 10, PeriodUnit.WORKING_DAYS)
JUNE = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Batches:
    """In 思明区: ``late`` (a draft whose plan filing was due in February), ``later`` (a
    draft for December, not yet due) and ``filed`` (filed, its session in May)."""

    late: Batch
    later: Batch
    filed: Batch
    world: World
    admin: Scope


@pytest.fixture
def batches(db: Session) -> Batches:
    xiamen_regions(db)
    world = build_world(db)
    late = planned_batch(db, world)
    later = planned_batch(db, world, "2026-12-07 09:00", "2026-12-07 11:00")
    filed = planned_batch(db, world, "2026-05-11 09:00", "2026-05-11 11:00")
    filed.state = BatchState.FILED
    db.add_all([BatchCoverageTotal(batch_id=late.id, expected_seconds=7200.0,
                                   recorded_seconds=3600.0),
                BatchCoverageTotal(batch_id=filed.id, expected_seconds=7200.0,
                                   recorded_seconds=7200.0),
                BatchCoverageTotal(batch_id=later.id, expected_seconds=0.0,
                                   recorded_seconds=0.0)])
    db.commit()
    return Batches(late, later, filed, world, load_scope(db, add_user(db, "root", Role.ADMIN,
                                                                      [])))


def page(db: Session, b: Batches, now: datetime = JUNE, **where: Any) -> list[int]:
    return [line.id for line in batch_page(db, b.admin, XIAMEN, RULES,
                                           BatchQuery(**where), now).items]


def event(db: Session, camera: int, start: datetime, minutes: int | None) -> None:
    """An event of ``camera`` from ``start`` lasting ``minutes`` (``None``: still open)."""
    db.add(Event(camera_id=camera, kind="headcount", started_at=start,
                 ended_at=None if minutes is None else start + timedelta(minutes=minutes)))
    db.commit()


def test_each_line_carries_its_overdue_steps_and_coverage(db: Session, batches: Batches) -> None:
    answer = batch_page(db, batches.admin, XIAMEN, RULES, BatchQuery(), JUNE)
    assert (answer.total, answer.page, answer.deadlines_unavailable) == (3, 1, None)
    lines = {line.id: line for line in answer.items}
    late, later, filed = (lines[b.id] for b in (batches.late, batches.later, batches.filed))
    assert late.overdue == [DueStep.PLAN_FILING] and later.overdue == filed.overdue == []
    assert (late.coverage_ratio, filed.coverage_ratio, later.coverage_ratio) == (0.5, 1.0, None)
    assert late.district_code == SIMING and late.state is BatchState.DRAFT
    assert late.first_session_at == at("2026-03-02 09:00")
    assert late.last_session_end == at("2026-03-02 11:00")


def test_filters_by_state_and_by_overdue(db: Session, batches: Batches) -> None:
    assert page(db, batches, state=BatchState.FILED) == [batches.filed.id]
    assert page(db, batches, overdue=True) == [batches.late.id]
    assert page(db, batches, overdue=False) == [batches.later.id, batches.filed.id]
    assert page(db, batches, state=BatchState.DRAFT, overdue=False) == [batches.later.id]


def test_each_order_puts_what_is_unknown_last(db: Session, batches: Batches) -> None:
    late, later, filed = batches.late.id, batches.later.id, batches.filed.id
    assert page(db, batches, sort=BatchSort.ID_DESC) == [filed, later, late]
    assert page(db, batches, sort=BatchSort.FIRST_SESSION) == [late, filed, later]
    assert page(db, batches, sort=BatchSort.FIRST_SESSION_DESC) == [later, filed, late]
    assert page(db, batches, sort=BatchSort.COVERAGE) == [late, filed, later]
    assert page(db, batches, sort=BatchSort.COVERAGE_DESC) == [filed, late, later]


def test_pages_and_the_total(db: Session, batches: Batches) -> None:
    assert page(db, batches, per_page=2) == [batches.late.id, batches.later.id]
    second = batch_page(db, batches.admin, XIAMEN, RULES, BatchQuery(page=2, per_page=2), JUNE)
    assert ([line.id for line in second.items], second.total) == ([batches.filed.id], 3)
    assert page(db, batches, page=4, per_page=2) == []


def test_alerts_count_events_inside_the_session_windows_only(db: Session,
                                                             batches: Batches) -> None:
    camera = batches.world.cameras[0]  # the first room, which every session uses
    start = at("2026-03-02 09:00")
    event(db, camera, start + timedelta(minutes=10), 5)
    event(db, camera, start - timedelta(minutes=30), 40)  # runs into the window
    event(db, camera, start + timedelta(hours=1, minutes=59), None)  # still open: in
    # this window and in every later one of the camera (the filed batch's in May)
    event(db, camera, start - timedelta(hours=2), 30)  # before it
    event(db, camera, start + timedelta(hours=2), 10)  # after it (ends_at is exclusive)
    event(db, batches.world.cameras[1], start + timedelta(minutes=10), 5)  # another room
    assert alert_counts(db, [batches.late.id, batches.filed.id]) == {batches.late.id: 3,
                                                                     batches.filed.id: 1}
    assert alert_counts(db, [batches.late.id]) == {batches.late.id: 3}
    assert alert_counts(db, []) == {}
    lines = batch_page(db, batches.admin, XIAMEN, RULES, BatchQuery(), JUNE).items
    assert {line.id: line.alerts for line in lines} == {
        batches.late.id: 3, batches.later.id: 1, batches.filed.id: 1}


def test_without_todays_calendar_nothing_is_overdue_and_the_page_says_why(
        db: Session, batches: Batches) -> None:
    answer = batch_page(db, batches.admin, XIAMEN, RULES, BatchQuery(overdue=True),
                        datetime(2031, 3, 3, 2, 0, tzinfo=UTC))
    assert answer.items == [] and answer.total == 0
    assert answer.deadlines_unavailable is not None and "2031" in answer.deadlines_unavailable
