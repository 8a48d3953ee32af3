"""Storing a verifiable draw in two steps: commit, then reveal (both audited).

:func:`commit_draw` stores the :class:`~proctor.supervision.oversight.Draw` row with the
snapshot, its hash and the seed's commitment, writes ``draw.commit`` to the audit log and
**commits the transaction** before it returns the seed, so the commitment is on record
before any selection exists. The seed lives only in the caller's memory until
:func:`reveal_draw` stores it with the result and writes ``draw.reveal``. A draw whose
process died in between stays committed and unrevealed, in plain view (the public page
lists it as 未揭示); it is never silently dropped.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from proctor import audit
from proctor.actor import Actor
from proctor.db.base import utcnow
from proctor.errors import NotFound
from proctor.supervision.oversight import Draw, DrawKind
from proctor.supervision.selection import Snapshot, commitment, new_seed

COMMIT, REVEAL = "draw.commit", "draw.reveal"


def draw_target(draw_id: int) -> str:
    """How the audit log names a draw."""
    return f"draw:{draw_id}"


def get_draw(db: Session, draw_id: int) -> Draw:
    """The draw, or :class:`NotFound`."""
    draw = db.get(Draw, draw_id)
    if draw is None:
        raise NotFound(f"draw {draw_id} does not exist")
    return draw


def commit_draw(db: Session, actor: Actor, kind: DrawKind, snapshot: Snapshot,
                batch_id: int | None = None) -> tuple[Draw, str]:
    """Store and audit the commitment to a fresh seed, commit, and return the draw and the
    (still secret) seed."""
    seed = new_seed()
    draw = Draw(kind=kind, batch_id=batch_id, commitment=commitment(seed),
                snapshot=snapshot.canonical().decode("utf-8"),
                snapshot_sha256=snapshot.sha256(), result=[], drawn_by=str(actor))
    db.add(draw)
    db.flush()
    audit.record(db, actor, COMMIT, draw_target(draw.id), kind=kind.value, batch=batch_id,
                 commitment=draw.commitment, snapshot_sha256=draw.snapshot_sha256)
    db.commit()
    return draw, seed


def reveal_draw(db: Session, actor: Actor, draw: Draw, seed: str, selected: tuple[str, ...],
                **detail: object) -> None:
    """Store the result and the seed, and audit both (the caller's transaction)."""
    draw.seed, draw.result, draw.revealed_at = seed, list(selected), utcnow()
    db.flush()
    audit.record(db, actor, REVEAL, draw_target(draw.id), seed=seed, selected=list(selected),
                 **detail)
