"""The draw service's refusals and ``verify_stored_draw``'s checks against the audit log, on
a real (SQLite) database: a draw of too few or too many supervisors, of a batch not filed or
from a pool recusal leaves too small is refused before anything is committed; a committed
draw whose seed was never revealed, a draw missing its commit or reveal entry, a reveal
recorded before its commitment and a committed snapshot hash that differs are each named.
(tests/test_draw_verify.py covers changed seeds, results and commitments, and the CLI.)"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from support.batches import ADMIN, database
from support.draws import RULES, Filed, filed_world

from proctor.db.models import AuditEntry
from proctor.errors import Conflict, InvalidInput, NotFound
from proctor.supervision import draw_service
from proctor.supervision.batches import get_batch
from proctor.supervision.draw_record import COMMIT, REVEAL, commit_draw, draw_target
from proctor.supervision.draw_service import MAX_SUPERVISORS, PoolExhausted
from proctor.supervision.draw_verify import verify_stored_draw
from proctor.supervision.oversight import Draw, DrawKind
from proctor.supervision.pool_snapshot import build_pool_snapshot
from proctor.supervision.states import BatchState


@dataclass(frozen=True)
class Drawn:
    """The session, the world and a revealed draw of 2 of its 4 supervisors."""

    db: Session
    filed: Filed
    draw: Draw


@pytest.fixture
def filed(db: Session) -> Filed:
    return filed_world(db)


@pytest.fixture
def drawn(tmp_path: Path) -> Iterator[Drawn]:
    with database(tmp_path) as db:
        filed = filed_world(db)
        draw = draw_service.draw_for_batch(db, ADMIN, filed.batch, 2, RULES)
        db.commit()
        yield Drawn(db, filed, draw)


def draws(db: Session) -> int:
    """How many draws are stored (committed or not)."""
    return db.scalar(select(func.count()).select_from(Draw)) or 0


def entry(db: Session, draw: Draw, action: str) -> AuditEntry:
    """The draw's audit entry of ``action``."""
    return db.scalars(select(AuditEntry).where(AuditEntry.target == draw_target(draw.id),
                                               AuditEntry.action == action)).one()


def problems(drawn: Drawn) -> str:
    """The problems verify finds, after committing the test's change."""
    drawn.db.commit()
    return " | ".join(verify_stored_draw(drawn.db, drawn.draw.id).problems)


@pytest.mark.parametrize("needed", [0, -1, MAX_SUPERVISORS + 1, 10**18])
def test_a_number_of_supervisors_out_of_range_is_refused(db: Session, filed: Filed,
                                                         needed: int) -> None:
    with pytest.raises(InvalidInput, match=f"1..{MAX_SUPERVISORS} supervisors, not {needed}"):
        draw_service.draw_for_batch(db, ADMIN, filed.batch, needed, RULES)
    assert draws(db) == 0


def test_only_a_filed_batch_is_drawn_and_only_once(db: Session, filed: Filed) -> None:
    draw_service.draw_for_batch(db, ADMIN, filed.batch, 1, RULES)
    db.commit()
    assert get_batch(db, filed.batch).state is BatchState.SUPERVISORS_DRAWN
    with pytest.raises(Conflict, match="supervisors are drawn once, for a filed"):
        draw_service.draw_for_batch(db, ADMIN, filed.batch, 1, RULES)
    assert draws(db) == 1


def test_a_pool_too_small_is_refused_naming_the_counts_before_a_commitment(
        db: Session, filed: Filed) -> None:
    with pytest.raises(PoolExhausted) as refused:
        draw_service.draw_for_batch(db, ADMIN, filed.batch, len(filed.supervisors) + 1, RULES)
    assert (refused.value.needed, refused.value.eligible) == (len(filed.supervisors) + 1,
                                                              len(filed.supervisors))
    assert not refused.value.empty
    db.rollback()
    assert draws(db) == 0
    assert get_batch(db, filed.batch).state is BatchState.FILED


def test_an_unknown_draw_is_not_found(db: Session) -> None:
    with pytest.raises(NotFound, match="draw 4294967296 does not exist"):
        verify_stored_draw(db, 2**32)


def test_a_draw_committed_but_never_revealed_says_so(db: Session, filed: Filed) -> None:
    snapshot = build_pool_snapshot(db, get_batch(db, filed.batch), 2, RULES.recusal_window_days)
    draw, _seed = commit_draw(db, ADMIN, DrawKind.SUPERVISORS, snapshot, filed.batch)
    found = verify_stored_draw(db, draw.id).problems
    assert len(found) == 1 and "never revealed" in found[0]


def test_a_stored_draw_holds(drawn: Drawn) -> None:
    assert problems(drawn) == ""


def test_a_missing_commit_entry_is_named(drawn: Drawn) -> None:
    entry(drawn.db, drawn.draw, COMMIT).action = "draw.other"
    assert "no draw.commit entry in the audit log" in problems(drawn)


def test_a_missing_reveal_entry_is_named(drawn: Drawn) -> None:
    entry(drawn.db, drawn.draw, REVEAL).action = "draw.other"
    found = problems(drawn)
    assert "no draw.reveal entry in the audit log" in found
    assert "snapshot hash differs" not in found


def test_a_reveal_recorded_before_the_commitment_is_named(drawn: Drawn) -> None:
    reveal = entry(drawn.db, drawn.draw, REVEAL)
    reveal.seq = -reveal.seq  # seq is unique: a negative one precedes every real entry
    assert "the reveal entry precedes the commitment" in problems(drawn)


def test_a_committed_snapshot_hash_that_differs_is_named(drawn: Drawn) -> None:
    commit = entry(drawn.db, drawn.draw, COMMIT)
    commit.detail = {**commit.detail, "snapshot_sha256": "0" * 64}
    assert "differs from the one committed in the audit log" in problems(drawn)


def test_a_result_that_is_no_supervisor_id_differs_from_the_assignments(drawn: Drawn) -> None:
    drawn.draw.result = ["张三", *drawn.draw.result[1:]]
    found = problems(drawn)
    assert "assignments" in found and "张三" in found
