"""The supervisor draw as a service, on a real SQLite database: commit before selection,
assignments, the batch's transition, and an empty pool refused naming its filters."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from support.batches import ADMIN, database
from support.draws import RULES, filed_world

from proctor.db.models import AuditEntry
from proctor.supervision import draw_service, pool
from proctor.supervision.draw import SupervisorDraw
from proctor.supervision.oversight import Assignment, Draw
from proctor.supervision.records import Batch
from proctor.supervision.recusal import ConflictKind, PoolSnapshot, RecusalFilter
from proctor.supervision.states import BatchState


@pytest.fixture
def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    with database(tmp_path) as session:
        yield session


def _actions(db: Session, draw_id: int, batch_id: int) -> list[str]:
    return [e.action for e in db.scalars(select(AuditEntry).where(
        AuditEntry.target.in_([f"draw:{draw_id}", f"batch:{batch_id}"]),
        AuditEntry.action.in_(["draw.commit", "draw.reveal", "batch.transition"]))
        .order_by(AuditEntry.seq))]


def test_commitment_is_committed_before_the_selection_exists(
        db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    filed = filed_world(db)
    seen: list[tuple[str, str | None, list[str]]] = []
    real = draw_service.draw_supervisors

    def spy(snapshot: PoolSnapshot, seed: str) -> SupervisorDraw:
        other = Session(db.get_bind())  # another connection sees only committed rows
        entry = other.scalars(select(AuditEntry).where(AuditEntry.action == "draw.commit")).one()
        row = other.get(Draw, int(entry.target.removeprefix("draw:")))
        assert row is not None
        seen.append((entry.detail["commitment"], row.seed, list(row.result)))  # type: ignore[arg-type]
        other.close()
        return real(snapshot, seed)

    monkeypatch.setattr(draw_service, "draw_supervisors", spy)
    draw = draw_service.draw_for_batch(db, ADMIN, filed.batch, 2, RULES)
    db.commit()
    assert seen == [(draw.commitment, None, [])]
    assert _actions(db, draw.id, filed.batch) == ["draw.commit", "draw.reveal",
                                                  "batch.transition"]


def test_draw_assigns_the_drawn_until_the_report_period_ends(db: Session) -> None:
    filed = filed_world(db)
    draw = draw_service.draw_for_batch(db, ADMIN, filed.batch, 2, RULES)
    db.commit()
    assert draw.seed is not None and len(draw.result) == 2
    assignments = db.scalars(select(Assignment).where(Assignment.batch_id == filed.batch)).all()
    assert sorted(a.supervisor_id for a in assignments) == sorted(map(int, draw.result))
    # session ends Monday 2026-03-02; 10 working days later is Monday 2026-03-16 (no holiday):
    # access ends at 24:00 China time that day
    assert {a.access_until for a in assignments} == {datetime(2026, 3, 16, 16, 0, tzinfo=UTC)}
    batch = db.get(Batch, filed.batch)
    assert batch is not None and batch.state is BatchState.SUPERVISORS_DRAWN


def test_a_drawn_batch_is_not_drawn_again(db: Session) -> None:
    filed = filed_world(db)
    draw_service.draw_for_batch(db, ADMIN, filed.batch, 1, RULES)
    db.commit()
    with pytest.raises(draw_service.Conflict, match="supervisors_drawn"):
        draw_service.draw_for_batch(db, ADMIN, filed.batch, 1, RULES)


def test_an_emptied_pool_is_refused_naming_each_filter_before_any_commitment(
        db: Session) -> None:
    filed = filed_world(db, supervisors=3)
    first, second, third = filed.supervisors
    pool.deactivate_supervisor(db, ADMIN, first, "退休")
    pool.declare_conflict(db, ADMIN, second, ConflictKind.RELATIVE, person="张三")  # a candidate
    pool.declare_conflict(db, ADMIN, third, ConflictKind.COLLEAGUE,
                          organisation_id=filed.world.organisation)
    db.commit()
    with pytest.raises(draw_service.PoolExhausted) as caught:
        draw_service.draw_for_batch(db, ADMIN, filed.batch, 1, RULES)
    assert caught.value.empty and caught.value.removed_by == {
        RecusalFilter.INACTIVE: 1, RecusalFilter.DECLARED_CONFLICT: 2}
    assert "未在岗 / inactive 1" in str(caught.value)
    assert "申报的利害关系 / declared conflict of interest 2" in str(caught.value)
    assert db.scalars(select(Draw)).all() == []


def test_pool_too_small_and_recent_assignment(db: Session) -> None:
    filed = filed_world(db, supervisors=2)
    draw_service.draw_for_batch(db, ADMIN, filed.batch, 2, RULES)
    db.commit()
    from support.draws import filed_batch

    later = filed_batch(db, filed.world, "2026-04-01 09:00", "2026-04-01 11:00")
    with pytest.raises(draw_service.PoolExhausted) as caught:
        draw_service.draw_for_batch(db, ADMIN, later.id, 1, RULES)
    assert caught.value.removed_by == {RecusalFilter.RECENT_ASSIGNMENT: 2}
