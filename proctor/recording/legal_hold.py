"""Legal holds: place and lift them on the store's object versions, and keep them applied
to segments that arrive later inside a held range (e.g. uploaded after an outage).

Each change is committed (with its audit entry) before the store is touched, and the store
is then set from what the database says (:func:`reconcile`): a new segment checks the holds
after its own commit (:func:`hold_if_covered`, also on a re-upload), a hold or lift sets
every version in its range. A store failure, or a segment arriving at the very moment a
hold is lifted, can still leave a version set wrongly for a while; the server reconciles
active and recently lifted holds every hour (:func:`reconcile_recent`), and
``proctor archive reconcile-holds`` does it on demand.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from proctor import audit
from proctor.actor import ActorRef, as_actor
from proctor.db.base import utcnow
from proctor.db.models import LegalHold, Segment
from proctor.db.session import session_scope
from proctor.errors import Conflict, InvalidInput
from proctor.recording.archive import covering_segments
from proctor.recording.store import ObjectStore, StorageError

logger = logging.getLogger(__name__)
RECONCILE_EVERY_S = 3600.0


def active_holds(db: Session, camera_id: int, start_ms: int, end_ms: int) -> list[LegalHold]:
    """The camera's unlifted holds overlapping ``[start_ms, end_ms)``."""
    return list(db.scalars(select(LegalHold).where(
        LegalHold.camera_id == camera_id, LegalHold.lifted_at.is_(None),
        LegalHold.to_ms > start_ms, LegalHold.from_ms < end_ms)))


def place_hold(db: Session, store: ObjectStore, camera_id: int, from_ms: int, to_ms: int,
               reason: str, actor: ActorRef) -> tuple[LegalHold, int]:
    """Record and audit a hold (committed at once), then apply it to every covering
    segment; returns it and the count held."""
    if to_ms <= from_ms:
        raise InvalidInput("'to' must be after 'from'")
    hold = LegalHold(camera_id=camera_id, from_ms=from_ms, to_ms=to_ms, reason=reason,
                     placed_by=str(as_actor(actor)))
    db.add(hold)
    db.flush()
    audit.record(db, actor, "archive.legal_hold", f"camera:{camera_id}", hold_id=hold.id,
                 from_ms=from_ms, to_ms=to_ms, reason=reason)
    db.commit()
    held, _ = _apply(db, store, hold)
    return hold, held


def lift_hold(db: Session, store: ObjectStore, hold: LegalHold, actor: ActorRef) -> int:
    """Record and audit the lift (committed at once), then release the versions no other
    active hold covers. Returns how many were released."""
    if hold.lifted_at is not None:
        raise Conflict(f"legal hold {hold.id} was already lifted by {hold.lifted_by}")
    hold.lifted_at, hold.lifted_by = utcnow(), str(as_actor(actor))
    audit.record(db, actor, "archive.legal_hold_lifted", f"camera:{hold.camera_id}",
                 hold_id=hold.id)
    db.commit()
    _, released = _apply(db, store, hold)
    return released


def _apply(db: Session, store: ObjectStore, hold: LegalHold) -> tuple[int, int]:
    try:
        return reconcile(db, store, hold.camera_id, hold.from_ms, hold.to_ms)
    except StorageError as error:
        raise StorageError(f"legal hold {hold.id} is recorded, but the store could not be "
                           f"updated ({error}): the server retries within the hour, or run "
                           "`proctor archive reconcile-holds`") from error


def reconcile(db: Session, store: ObjectStore, camera_id: int, from_ms: int,
              to_ms: int) -> tuple[int, int]:
    """Make every segment version in the range held exactly when an active hold covers it
    (idempotent; repairs what a failed or concurrent change left). Returns (held,
    released)."""
    held = released = 0
    for segment in covering_segments(db, camera_id, from_ms, to_ms):
        covered = bool(active_holds(db, segment.camera_id, segment.start_ms, segment.end_ms))
        store.set_legal_hold(segment.object_key, segment.version_id, covered)
        held, released = held + covered, released + (not covered)
    db.commit()  # end the read transaction
    return held, released


def reconcile_recent(db: Session, store: ObjectStore, changed_since: datetime) -> int:
    """Reconcile the range of every active hold and of every hold lifted since
    ``changed_since`` (the periodic repair); returns how many holds were checked."""
    holds = list(db.scalars(select(LegalHold).where(
        (LegalHold.lifted_at.is_(None)) | (LegalHold.lifted_at >= changed_since))))
    for hold in holds:
        reconcile(db, store, hold.camera_id, hold.from_ms, hold.to_ms)
    return len(holds)


async def reconcile_forever(session_factory: sessionmaker[Session], store: ObjectStore,
                            interval_s: float = RECONCILE_EVERY_S) -> None:
    """The server's periodic repair: active holds and those lifted in the last two
    intervals, every ``interval_s``."""
    while True:
        await asyncio.sleep(interval_s)

        def run() -> int:
            with session_scope(session_factory) as db:
                return reconcile_recent(db, store, utcnow() - timedelta(seconds=2 * interval_s))

        try:
            checked = await asyncio.to_thread(run)
        except Exception:  # noqa: BLE001 - the store may be down: next round
            logger.exception("legal hold reconciliation failed")
        else:
            logger.info("legal holds reconciled", extra={"holds": checked})


def hold_if_covered(db: Session, store: ObjectStore, segment: Segment) -> bool:
    """Apply a legal hold to a newly stored segment inside an active hold's range."""
    if active_holds(db, segment.camera_id, segment.start_ms, segment.end_ms):
        store.set_legal_hold(segment.object_key, segment.version_id, True)
        return True
    return False
