"""Random inspection of batches (抽查) as a service, and the yearly report of organisations
not inspected.

:func:`draw_inspection` samples the batches of a period (every batch past its draft whose
first session falls in the period) with the same commit–reveal procedure as the supervisor
draw (:mod:`proctor.supervision.draw_record`): the commitment is audited and committed
before the sample is drawn. The first ``on_site`` batches drawn are inspected on site, the
rest by replay.

:func:`not_inspected` answers the rule 每年对每个备案机构抽查不少于一次: an organisation counts
as inspected in a year when a batch of it dated in that year was drawn in a revealed
inspection sample (read from the stored snapshots, exactly as drawn).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor.actor import Actor
from proctor.db.organisations import Organisation
from proctor.errors import Conflict, InvalidInput
from proctor.supervision.draw_record import commit_draw, reveal_draw
from proctor.supervision.inspection import (
    CandidateBatch,
    Inspection,
    InspectionMode,
    InspectionSnapshot,
    draw_inspections,
    organisations_not_inspected,
)
from proctor.supervision.oversight import Draw, DrawKind
from proctor.supervision.pool_snapshot import batch_date
from proctor.supervision.records import Batch
from proctor.supervision.states import BatchState

FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_SAMPLE = 1000


def _candidates(db: Session, first: date, last: date) -> list[CandidateBatch]:
    batches = db.scalars(select(Batch).where(Batch.state != BatchState.DRAFT)
                         .order_by(Batch.id))
    dated = ((b, batch_date(b)) for b in batches if b.sessions)
    return [CandidateBatch(id=str(b.id), organisation_id=str(b.organisation_id), date=day)
            for b, day in dated if first <= day <= last]


def draw_inspection(db: Session, actor: Actor, first: date, last: date, on_site: int,
                    replay: int) -> Draw:
    """Draw ``on_site + replay`` batches of the period ``first..last`` (both included) to
    inspect; the draw is revealed when this returns."""
    if last < first:
        raise InvalidInput(f"the period ends ({last}) before it starts ({first})")
    if on_site < 0 or replay < 0 or not 1 <= on_site + replay <= MAX_SAMPLE:
        raise InvalidInput(f"inspect 1..{MAX_SAMPLE} batches in all (on site and by replay, "
                           f"neither negative), not {on_site} + {replay}")
    candidates = _candidates(db, first, last)
    if on_site + replay > len(candidates):
        raise Conflict(f"the period {first}..{last} has {len(candidates)} filed batch(es): "
                       f"{on_site + replay} cannot be inspected")
    snapshot = InspectionSnapshot(period=f"{first.isoformat()}/{last.isoformat()}",
                                  on_site=on_site, replay=replay, batches=tuple(candidates))
    draw, seed = commit_draw(db, actor, DrawKind.INSPECTIONS, snapshot)
    result = draw_inspections(snapshot, seed)
    reveal_draw(db, actor, draw, seed, result.selected, period=result.period,
                on_site=list(result.on_site), replay=list(result.replay))
    return draw


def inspections(draw: Draw) -> list[tuple[CandidateBatch, InspectionMode]]:
    """The batches a revealed inspection draw picked, with how each is inspected."""
    snapshot = InspectionSnapshot.model_validate_json(draw.snapshot)
    by_id = {b.id: b for b in snapshot.batches}
    return [(by_id[bid], InspectionMode.ON_SITE if i < snapshot.on_site
             else InspectionMode.REPLAY) for i, bid in enumerate(draw.result)]


def not_inspected(db: Session, year: int) -> list[Organisation]:
    """The organisations (by id) no revealed inspection sample picked a batch of in ``year``."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(f"year must be {FIRST_YEAR}..{LAST_YEAR}, not {year}")
    draws = db.scalars(select(Draw).where(Draw.kind == DrawKind.INSPECTIONS,
                                          Draw.seed.is_not(None)))
    done = [Inspection(batch.organisation_id, batch.date, mode)
            for draw in draws for batch, mode in inspections(draw)]
    organisations = list(db.scalars(select(Organisation).order_by(Organisation.id)))
    missing = set(organisations_not_inspected(year, done, (str(o.id) for o in organisations)))
    return [o for o in organisations if str(o.id) in missing]
