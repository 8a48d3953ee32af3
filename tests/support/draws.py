"""A filed batch in 思明区 (from ``support.batches``) and a pool of supervisors for the draw
service, API and CLI tests; rows the draw does not own are made through the ORM."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from proctor.db.organisations import Organisation, OrganisationKind
from proctor.supervision import pool
from proctor.supervision.deadlines import DeadlineRules
from proctor.supervision.deadlines import OrganisationKind as DeadlineKind
from proctor.supervision.draw_service import DrawRules
from proctor.supervision.records import Batch
from proctor.supervision.report_period import PeriodUnit
from proctor.supervision.states import BatchState
from support.batches import ADMIN, World, build_world, planned_batch

RULES = DrawRules(
    recusal_window_days=90, report_period_days=10, report_period_unit=PeriodUnit.WORKING_DAYS,
    deadlines=DeadlineRules(plan_lead={k: 15 for k in DeadlineKind}, publicity_days=5,
                            results_days=10))


@dataclass(frozen=True)
class Filed:
    """A filed batch (session 2026-03-02 09:00–11:00 China time) and the pool's ids."""

    world: World
    batch: int
    supervisors: tuple[int, ...]
    other_organisation: int


def filed_batch(db: Session, world: World, start: str = "2026-03-02 09:00",
                end: str = "2026-03-02 11:00") -> Batch:
    """A planned batch moved to ``filed`` through the ORM (filing is not this test's)."""
    batch = planned_batch(db, world, start, end)
    batch.state = BatchState.FILED
    db.commit()
    return batch


def filed_world(db: Session, supervisors: int = 4) -> Filed:
    """The world, a filed batch, another organisation, and ``supervisors`` eligible ones."""
    world = build_world(db)
    other = Organisation(name="厦门另一家培训中心", kind=OrganisationKind.SOCIAL_ORG,
                         region_code="350203")
    db.add(other)
    db.flush()
    batch = filed_batch(db, world)
    ids = tuple(pool.add_supervisor(db, ADMIN, f"督导员{i}", "350203", f"QD-2026-{i:03d}").id
                for i in range(supervisors))
    db.commit()
    return Filed(world, batch.id, ids, other.id)
