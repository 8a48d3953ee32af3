"""Random inspection (抽查) as a service on a real (SQLite) database: the period and the
sample's size checked before anything is stored; only batches past their draft whose first
session lies in the period are candidates; the draw is committed and revealed (audited),
its first batches inspected on site and the rest by replay, and the public page lists them
so; an organisation counts as inspected in a year only through a revealed sample of a batch
dated in that year. (tests/test_supervision_inspection.py covers the pure sampling.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from support.batches import ADMIN, build_world, planned_batch
from support.draws import filed_batch

from proctor.db.models import AuditEntry
from proctor.errors import Conflict, InvalidInput
from proctor.supervision.draw_record import COMMIT, REVEAL
from proctor.supervision.inspection import InspectionMode, InspectionSnapshot
from proctor.supervision.inspection_service import (
    MAX_SAMPLE,
    draw_inspection,
    inspections,
    not_inspected,
)
from proctor.supervision.oversight import Draw, DrawKind
from proctor.supervision.public_draws import public_draws

FIRST, LAST = date(2026, 3, 1), date(2026, 5, 31)


@dataclass(frozen=True)
class Season:
    """Filed batches in the period (two of organisation A, one of B), a filed batch of A in
    July, and a draft of B in the period; the organisations' ids."""

    in_period: tuple[int, int, int]
    organisations: tuple[int, int]


@pytest.fixture
def season(db: Session) -> Season:
    a, b = build_world(db, name="甲公司"), build_world(db, name="乙学院")
    ids = (filed_batch(db, a, "2026-03-02 09:00", "2026-03-02 11:00").id,
           filed_batch(db, a, "2026-05-31 09:00", "2026-05-31 11:00").id,
           filed_batch(db, b, "2026-04-01 09:00", "2026-04-01 11:00").id)
    filed_batch(db, a, "2026-07-01 09:00", "2026-07-01 11:00")
    planned_batch(db, b, "2026-04-02 09:00", "2026-04-02 11:00")  # a draft
    return Season(ids, (a.organisation, b.organisation))


def draws(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Draw)) or 0


@pytest.mark.parametrize(("on_site", "replay"), [(0, 0), (-1, 2), (2, -1),
                                                 (MAX_SAMPLE, 1), (10**18, 0)])
def test_a_sample_size_out_of_range_is_refused(db: Session, season: Season, on_site: int,
                                               replay: int) -> None:
    with pytest.raises(InvalidInput, match=f"not {on_site} \\+ {replay}"):
        draw_inspection(db, ADMIN, FIRST, LAST, on_site, replay)
    assert draws(db) == 0


def test_a_period_ending_before_it_starts_is_refused(db: Session, season: Season) -> None:
    with pytest.raises(InvalidInput, match="ends \\(2026-03-01\\) before it starts"):
        draw_inspection(db, ADMIN, LAST, FIRST, 1, 0)


def test_only_filed_batches_of_the_period_are_candidates(db: Session, season: Season) -> None:
    with pytest.raises(Conflict, match="has 3 filed batch\\(es\\): 4 cannot be inspected"):
        draw_inspection(db, ADMIN, FIRST, LAST, 2, 2)
    assert draws(db) == 0
    draw = draw_inspection(db, ADMIN, FIRST, LAST, 1, 2)
    snapshot = InspectionSnapshot.model_validate_json(draw.snapshot)
    assert sorted(int(b.id) for b in snapshot.batches) == sorted(season.in_period)
    assert snapshot.period == "2026-03-01/2026-05-31"


def test_the_sample_is_revealed_audited_and_split_by_mode(db: Session, season: Season) -> None:
    draw = draw_inspection(db, ADMIN, FIRST, LAST, 1, 2)
    assert draw.seed is not None and draw.kind is DrawKind.INSPECTIONS
    picked = inspections(draw)
    assert [int(b.id) for b, _ in picked] == [int(i) for i in draw.result]
    assert sorted(int(b.id) for b, _ in picked) == sorted(season.in_period)
    assert [mode for _, mode in picked] == [InspectionMode.ON_SITE, InspectionMode.REPLAY,
                                            InspectionMode.REPLAY]
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.target == f"draw:{draw.id}")
                         .order_by(AuditEntry.seq)).all()
    assert actions == [COMMIT, REVEAL]
    [shown] = public_draws(db)
    assert shown.period == "2026-03-01/2026-05-31"
    assert [b.batch_id for b in shown.on_site] == [int(draw.result[0])]
    assert sorted(b.batch_id for b in shown.replay) == sorted(int(i) for i in draw.result[1:])
    assert shown.supervisors == () and shown.batch is None


def test_an_organisation_is_inspected_only_through_a_batch_drawn_that_year(
        db: Session, season: Season) -> None:
    org_a, org_b = season.organisations
    assert [o.id for o in not_inspected(db, 2026)] == [org_a, org_b]
    snapshot = InspectionSnapshot.model_validate_json(
        draw_inspection(db, ADMIN, FIRST, LAST, 1, 0).snapshot)
    [drawn] = db.scalars(select(Draw)).one().result
    owner = next(b.organisation_id for b in snapshot.batches if b.id == drawn)
    assert [str(o.id) for o in not_inspected(db, 2026)] == [
        str(o) for o in (org_a, org_b) if str(o) != owner]
    draw_inspection(db, ADMIN, FIRST, LAST, 3, 0)  # every batch of the period
    assert not_inspected(db, 2026) == []
    assert [o.id for o in not_inspected(db, 2025)] == [org_a, org_b]


@pytest.mark.parametrize("year", [1999, 2101, -2026, 10**12])
def test_a_year_out_of_range_is_refused(db: Session, year: int) -> None:
    with pytest.raises(InvalidInput, match=f"not {year}"):
        not_inspected(db, year)
