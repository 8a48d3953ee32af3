"""What the public page of draw results (一公开) shows, and nothing more.

Published for each supervisor draw: the batch (备案号 when it has one), organisation,
occupation and level, the batch date, when the commitment was made and revealed, the
commitment, the revealed seed, the snapshot's SHA-256 and the drawn supervisors **by name
only**; for each inspection sample: the period and the batches picked, on site or by replay.
Never published: qualification numbers, user accounts, supervisors' own organisations,
declared conflicts, recusals, rosters (they are personal data the rules do not ask to make
public; the snapshot that holds them is given to auditors, and its published hash proves it
is the one drawn from). A draw committed but never revealed is listed as such.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor.db.organisations import Organisation
from proctor.supervision.inspection import InspectionMode, InspectionSnapshot
from proctor.supervision.inspection_service import inspections
from proctor.supervision.oversight import Draw, DrawKind, Supervisor
from proctor.supervision.pool_snapshot import batch_date
from proctor.supervision.records import Batch


@dataclass(frozen=True)
class PublicBatch:
    """A batch as the public page names it."""

    batch_id: int
    filing_number: str | None  # 备案号
    organisation: str
    occupation: str
    occupation_code: str
    level: str
    date: date | None


@dataclass(frozen=True)
class PublicDraw:
    """One draw as published; ``supervisors`` (names, draw order) or the inspected batches."""

    draw_id: int
    kind: DrawKind
    committed_at: datetime
    revealed_at: datetime | None
    commitment: str
    seed: str | None
    snapshot_sha256: str
    batch: PublicBatch | None = None
    supervisors: tuple[str, ...] = ()
    period: str | None = None
    on_site: tuple[PublicBatch, ...] = ()
    replay: tuple[PublicBatch, ...] = ()


def _batch(db: Session, batch_id: int) -> PublicBatch:
    batch = db.get(Batch, batch_id)
    assert batch is not None  # a foreign key, or an id from a stored draw
    organisation = db.get(Organisation, batch.organisation_id)
    return PublicBatch(batch.id, batch.filing_number,
                       organisation.name if organisation else "", batch.occupation_name,
                       batch.occupation_code, batch.level.value,
                       batch_date(batch) if batch.sessions else None)


def _names(db: Session, ids: list[str]) -> tuple[str, ...]:
    found = {s.id: s.name for s in db.scalars(
        select(Supervisor).where(Supervisor.id.in_([int(i) for i in ids])))}
    return tuple(found.get(int(i), "") for i in ids)


def _public(db: Session, draw: Draw) -> PublicDraw:
    common = PublicDraw(draw.id, draw.kind, draw.committed_at, draw.revealed_at,
                        draw.commitment, draw.seed, draw.snapshot_sha256)
    if draw.kind is DrawKind.SUPERVISORS:
        assert draw.batch_id is not None  # a supervisor draw is for a batch
        return replace(common, batch=_batch(db, draw.batch_id),
                       supervisors=_names(db, list(draw.result)))
    picked = [(_batch(db, int(b.id)), mode) for b, mode in inspections(draw)]
    return replace(common, period=InspectionSnapshot.model_validate_json(draw.snapshot).period,
                   on_site=tuple(b for b, mode in picked if mode is InspectionMode.ON_SITE),
                   replay=tuple(b for b, mode in picked if mode is InspectionMode.REPLAY))


def public_draws(db: Session, limit: int = 500) -> list[PublicDraw]:
    """The newest ``limit`` draws, newest first, as the public page shows them."""
    draws = db.scalars(select(Draw).order_by(Draw.id.desc()).limit(limit))
    return [_public(db, draw) for draw in draws]
