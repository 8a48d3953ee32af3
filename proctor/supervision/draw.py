"""The verifiable 双随机 draw of supervisors for a batch (pure).

Procedure (the service layer runs the steps; this module computes and checks):

1. Freeze the pool into a :class:`~proctor.supervision.recusal.PoolSnapshot` (the batch, the
   pool's region, N, the recusal window and every supervisor of the pool) and record its
   canonical JSON and ``snapshot_sha256``.
2. Generate a seed (:func:`~proctor.supervision.selection.new_seed`) and write its
   commitment, with ``snapshot_sha256``, to the audit log **before** drawing.
3. :func:`draw_supervisors`: screen the pool with the recusal filters (see ``recusal``);
   if fewer than N remain raise :class:`~proctor.supervision.recusal.EmptyPoolError` /
   :class:`~proctor.supervision.recusal.PoolTooSmallError`; otherwise select N of the
   eligible ids with the seeded partial Fisher–Yates shuffle (see ``selection``).
4. Reveal the seed (audit log) next to the result.

:func:`verify_draw` re-runs step 3 from the published snapshot and revealed seed and checks
that the seed matches the commitment published in step 2 and that the recorded result
(snapshot hash, selected ids in order, batch id, recusals) is exactly what they produce.
"""

from __future__ import annotations

from proctor.supervision.recusal import (
    EmptyPoolError,
    PoolSnapshot,
    PoolTooSmallError,
    RecusalFilter,
    screen,
)
from proctor.supervision.selection import DrawRecord, Verification, commitment, select, verify


class SupervisorDraw(DrawRecord):
    """The recorded result of a supervisor draw; ``selected`` is in draw order."""

    batch_id: str
    recused: dict[str, tuple[RecusalFilter, ...]]


def draw_supervisors(snapshot: PoolSnapshot, seed: str) -> SupervisorDraw:
    """Draw ``snapshot.supervisors_needed`` eligible supervisors, deterministically from ``seed``.

    Raises ``EmptyPoolError`` when recusal leaves nobody, ``PoolTooSmallError`` when it
    leaves fewer than needed; both say what each filter removed.
    """
    screening = screen(snapshot)
    needed, eligible = snapshot.supervisors_needed, len(screening.eligible)
    if eligible < needed:
        error = EmptyPoolError if eligible == 0 else PoolTooSmallError
        raise error(needed, eligible, screening.removed_by())
    digest = snapshot.sha256()
    return SupervisorDraw(
        snapshot_sha256=digest, commitment=commitment(seed),
        selected=select(seed, digest, screening.eligible, needed),
        batch_id=snapshot.batch.id, recused=dict(screening.recused))


def verify_draw(snapshot: PoolSnapshot | str | bytes, seed: str, published_commitment: str,
                result: SupervisorDraw) -> Verification:
    """Recompute a supervisor draw and list every way ``result`` differs from it.

    ``snapshot`` may be the model or its published JSON. ``published_commitment`` is the
    value written to the audit log before the draw.
    """
    return verify(PoolSnapshot, draw_supervisors, snapshot, seed, published_commitment, result)
