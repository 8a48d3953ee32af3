"""The public page of draw results (一公开) read from a real (SQLite) database: a revealed
supervisor draw names its batch and the drawn supervisors by name in draw order, with the
commitment, seed and snapshot hash anyone can check; a draw committed but never revealed is
listed without a seed or names; newest first, up to the limit; and nothing personal beyond
the names (no qualification numbers, accounts or snapshot) is in what is published."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import select
from sqlalchemy.orm import Session
from support.batches import ADMIN
from support.draws import RULES, Filed, filed_world

from proctor.supervision import draw_service
from proctor.supervision.batches import get_batch
from proctor.supervision.draw_record import commit_draw
from proctor.supervision.oversight import Draw, DrawKind, Supervisor
from proctor.supervision.pool_snapshot import build_pool_snapshot
from proctor.supervision.public_draws import public_draws
from proctor.supervision.selection import commitment


def drawn(db: Session) -> tuple[Filed, int]:
    """A filed world and a revealed draw of 2 of its 4 supervisors."""
    filed = filed_world(db)
    draw = draw_service.draw_for_batch(db, ADMIN, filed.batch, 2, RULES)
    db.commit()
    return filed, draw.id


def test_a_revealed_draw_names_the_batch_and_the_supervisors_in_draw_order(db: Session
                                                                          ) -> None:
    filed, draw_id = drawn(db)
    [shown] = public_draws(db)
    assert (shown.draw_id, shown.kind) == (draw_id, DrawKind.SUPERVISORS)
    assert shown.seed is not None and commitment(shown.seed) == shown.commitment
    assert shown.revealed_at is not None and shown.revealed_at >= shown.committed_at
    names = {s.id: s.name for s in db.scalars(select(Supervisor))}
    batch = get_batch(db, filed.batch)
    result = db.get_one(Draw, draw_id).result
    assert shown.supervisors == tuple(names[int(i)] for i in result)
    assert shown.batch is not None
    assert (shown.batch.batch_id, shown.batch.occupation, shown.batch.level) == (
        batch.id, batch.occupation_name, batch.level.value)
    assert shown.batch.date is not None and str(shown.batch.date) == "2026-03-02"


def test_nothing_personal_but_the_names_is_published(db: Session) -> None:
    _, draw_id = drawn(db)
    published = repr([asdict(d) for d in public_draws(db)])
    numbers = [s.qualification_number for s in db.scalars(select(Supervisor))]
    assert numbers and all(number and number not in published for number in numbers)
    snapshot = db.get_one(Draw, draw_id).snapshot
    assert snapshot[:40] not in published  # the snapshot is for auditors; its hash is public


def test_a_draw_never_revealed_is_listed_without_seed_or_names(db: Session) -> None:
    filed, revealed = drawn(db)
    snapshot = build_pool_snapshot(db, get_batch(db, filed.batch), 1, RULES.recusal_window_days)
    pending, _seed = commit_draw(db, ADMIN, DrawKind.SUPERVISORS, snapshot, filed.batch)
    newest, older = public_draws(db)
    assert (newest.draw_id, older.draw_id) == (pending.id, revealed)  # newest first
    assert (newest.seed, newest.revealed_at, newest.supervisors) == (None, None, ())
    assert newest.commitment == pending.commitment and newest.batch is not None
    assert [d.draw_id for d in public_draws(db, limit=1)] == [pending.id]
