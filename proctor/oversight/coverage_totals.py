"""The per-batch coverage aggregate the region views read (:class:`~.models.BatchCoverageTotal`).

**Why an aggregate.** Coverage is recorded over expected camera-time; its exact form
(:mod:`proctor.supervision.batch_coverage`, used by review, the report and the gate) reads
every segment of every camera of every window. A region view lists thousands of batches
whose windows hold millions of segments, so it reads one stored row per batch instead.

**How it is kept.** A background round (:func:`refresh_forever`) recomputes the batches
that have started and are not *settled*; a batch settles when it is computed at least
``settle`` after its last session ended (late uploads from the edge's store-and-forward
spool arrive within that time). Each window of each camera is one SQL sum of the
segments' durations clipped to the window, answered from the ``(camera_id, start_ms,
end_ms)`` index; overlapping segments could count twice, so a window's recorded time is
capped at its length. Segments stored after a batch settled are not counted here (the
batch's own coverage view still shows them).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from proctor.auth.grants import epoch_ms
from proctor.db.base import utcnow
from proctor.db.models import Camera, Segment
from proctor.db.session import session_scope
from proctor.oversight.models import BatchCoverageTotal
from proctor.recording.ingest import MAX_SEGMENT_MS
from proctor.supervision.records import ExamSession, SessionRoom

logger = logging.getLogger(__name__)
ROUND_BATCHES = 200


def recorded_ms(db: Session, camera_id: int, start_ms: int, end_ms: int) -> int:
    """Milliseconds of the camera's segments within ``start_ms..end_ms`` (capped)."""
    clipped = (case((Segment.end_ms < end_ms, Segment.end_ms), else_=end_ms)
               - case((Segment.start_ms > start_ms, Segment.start_ms), else_=start_ms))
    total = db.scalar(select(func.sum(clipped)).where(
        Segment.camera_id == camera_id, Segment.start_ms > start_ms - MAX_SEGMENT_MS,
        Segment.end_ms > start_ms, Segment.start_ms < end_ms))
    return min(int(total or 0), end_ms - start_ms)


def refresh(db: Session, batch_ids: list[int], now: datetime, settle: timedelta) -> int:
    """Recompute the aggregate of ``batch_ids`` at ``now``; returns how many were stored."""
    windows = db.execute(
        select(ExamSession.batch_id, ExamSession.starts_at, ExamSession.ends_at, Camera.id)
        .join(SessionRoom, SessionRoom.session_id == ExamSession.id)
        .join(Camera, Camera.room_id == SessionRoom.room_id)
        .where(ExamSession.batch_id.in_(batch_ids), ExamSession.starts_at < now)).all()
    expected: defaultdict[int, int] = defaultdict(int)
    recorded: defaultdict[int, int] = defaultdict(int)
    last_end: dict[int, datetime] = {batch_id: end for batch_id, end in db.execute(
        select(ExamSession.batch_id, func.max(ExamSession.ends_at))
        .where(ExamSession.batch_id.in_(batch_ids)).group_by(ExamSession.batch_id))}
    for batch_id, starts_at, ends_at, camera_id in windows:
        start_ms, end_ms = epoch_ms(starts_at), epoch_ms(min(ends_at, now))
        expected[batch_id] += end_ms - start_ms
        recorded[batch_id] += recorded_ms(db, camera_id, start_ms, end_ms)
    for batch_id in batch_ids:
        ended = last_end.get(batch_id)
        db.merge(BatchCoverageTotal(
            batch_id=batch_id, expected_seconds=expected[batch_id] / 1000,
            recorded_seconds=recorded[batch_id] / 1000, computed_at=now,
            settled=ended is not None and now >= ended + settle))
    db.flush()
    return len(batch_ids)


def unsettled(db: Session, now: datetime, computed_before: datetime,
              limit: int = ROUND_BATCHES) -> list[int]:
    """Batches that have started and whose aggregate is missing, or not settled and
    computed before ``computed_before``: those never computed first, then the longest ago."""
    started = (select(ExamSession.batch_id).where(ExamSession.starts_at < now)
               .group_by(ExamSession.batch_id).subquery())
    query = (select(started.c.batch_id)
             .outerjoin(BatchCoverageTotal, BatchCoverageTotal.batch_id == started.c.batch_id)
             .where(or_(BatchCoverageTotal.batch_id.is_(None),
                        and_(BatchCoverageTotal.settled.is_(False),
                             BatchCoverageTotal.computed_at < computed_before)))
             .order_by(BatchCoverageTotal.computed_at.asc().nulls_first(), started.c.batch_id)
             .limit(limit))
    return list(db.scalars(query))


def refresh_round(session_factory: sessionmaker[Session], settle: timedelta,
                  now: datetime | None = None, every: timedelta = timedelta(0)) -> int:
    """One round: up to :data:`ROUND_BATCHES` unsettled batches not computed within
    ``every`` (rounds one after another reach every batch once, then return 0)."""
    moment = now or utcnow()
    with session_scope(session_factory) as db:
        return refresh(db, unsettled(db, moment, moment - every), moment, settle)


async def refresh_forever(session_factory: sessionmaker[Session], settle: timedelta,
                          interval_s: float) -> None:
    """A round every ``interval_s`` (the first after one interval, so a starting server is
    not loaded at once), until cancelled."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            count = await asyncio.to_thread(refresh_round, session_factory, settle, None,
                                            timedelta(seconds=interval_s / 2))
        except Exception:  # noqa: BLE001 - the next round tries again
            logger.exception("coverage aggregate refresh failed")
        else:
            if count:
                logger.info("coverage aggregate refreshed", extra={"batches": count})
