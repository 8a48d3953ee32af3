"""The 双随机 supervisor draw of a batch, as one service call.

:func:`draw_for_batch` runs the procedure of :mod:`proctor.supervision.draw`:

1. The batch must be filed (备案) and not drawn yet (409 otherwise).
2. Freeze the pool (:func:`~proctor.supervision.pool_snapshot.build_pool_snapshot`) and
   screen it. Recusal does not depend on the seed, so a pool that recusal empties (or leaves
   too small) is refused with :class:`PoolExhausted` (409, naming every filter and how many
   it removed) before anything is committed. The end of the report period is computed now
   too, so a working calendar without the year fails before the commitment.
3. Commit: store the draw with its commitment and audit it, **in its own committed
   transaction** (:func:`~proctor.supervision.draw_record.commit_draw`).
4. Draw, reveal the seed with the result, create one
   :class:`~proctor.supervision.oversight.Assignment` per drawn supervisor (access until the
   report period ends, :mod:`~proctor.supervision.report_period`), and move the batch to
   ``supervisors_drawn`` through the lifecycle service (``record_draw``), all in the caller's
   transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from proctor.actor import Actor
from proctor.errors import Conflict, InvalidInput
from proctor.supervision.batches import get_batch
from proctor.supervision.calendar_service import load_calendar
from proctor.supervision.deadlines import DeadlineRules
from proctor.supervision.draw import draw_supervisors
from proctor.supervision.draw_record import commit_draw, reveal_draw
from proctor.supervision.lifecycle import transition
from proctor.supervision.oversight import Assignment, Draw, DrawKind
from proctor.supervision.pool_snapshot import build_pool_snapshot
from proctor.supervision.records import Batch
from proctor.supervision.recusal import EmptyPoolError, PoolTooSmallError, RecusalFilter, screen
from proctor.supervision.report_period import PeriodUnit, access_until
from proctor.supervision.settings import SupervisionSettings
from proctor.supervision.states import STATE_LABELS, Action, BatchState

MAX_SUPERVISORS = 20


@dataclass(frozen=True)
class DrawRules:
    """The settings a draw follows."""

    recusal_window_days: int
    report_period_days: int
    report_period_unit: PeriodUnit
    deadlines: DeadlineRules


def draw_rules(settings: SupervisionSettings) -> DrawRules:
    """The draw's rules from the supervision settings."""
    return DrawRules(settings.draw_recusal_window_days, settings.report_period_days,
                     PeriodUnit(settings.report_period_unit), settings.deadline_rules())


class PoolExhausted(Conflict):
    """Recusal left fewer supervisors than the draw needs (409): every filter, with counts."""

    def __init__(self, error: PoolTooSmallError) -> None:
        self.needed, self.eligible = error.needed, error.eligible
        self.removed_by: dict[RecusalFilter, int] = error.removed_by
        self.empty = isinstance(error, EmptyPoolError)
        super().__init__(str(error))


def _require_filed(batch: Batch) -> None:
    if batch.state is not BatchState.FILED:
        raise Conflict(f"batch {batch.id} is {STATE_LABELS[batch.state]} ({batch.state.value}):"
                       " supervisors are drawn once, for a filed (已备案, filed) batch")


def draw_for_batch(db: Session, actor: Actor, batch_id: int, needed: int, rules: DrawRules,
                   now: datetime | None = None) -> Draw:
    """Draw ``needed`` supervisors for a filed batch (see the module docs); the draw is
    revealed and the batch is ``supervisors_drawn`` when this returns."""
    if not 1 <= needed <= MAX_SUPERVISORS:
        raise InvalidInput(f"a batch needs 1..{MAX_SUPERVISORS} supervisors, not {needed}")
    batch = get_batch(db, batch_id)
    _require_filed(batch)
    snapshot = build_pool_snapshot(db, batch, needed, rules.recusal_window_days)
    screening = screen(snapshot)
    if len(screening.eligible) < needed:
        error = EmptyPoolError if not screening.eligible else PoolTooSmallError
        raise PoolExhausted(error(needed, len(screening.eligible), screening.removed_by()))
    until = access_until(load_calendar(db), max(s.ends_at for s in batch.sessions),
                         rules.report_period_days, rules.report_period_unit)
    draw, seed = commit_draw(db, actor, DrawKind.SUPERVISORS, snapshot, batch.id)
    result = draw_supervisors(snapshot, seed)
    reveal_draw(db, actor, draw, seed, result.selected, batch=batch.id,
                access_until=until.isoformat(),
                recused={sid: [f.value for f in fs] for sid, fs in result.recused.items()})
    db.add_all(Assignment(batch_id=batch.id, supervisor_id=int(sid), draw_id=draw.id,
                          access_until=until) for sid in result.selected)
    db.flush()
    transition(db, actor, batch.id, Action.RECORD_DRAW, rules.deadlines, now=now)
    return draw

