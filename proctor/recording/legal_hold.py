"""Legal holds: place and lift them on the store's object versions, and keep them applied
to segments that arrive later inside a held range (e.g. uploaded after an outage).

Concurrent changes never leave footage unheld under an active hold. Each side acts on the
store only after committing its own row and then reads the other side's: a new segment
checks the holds after its commit (:func:`hold_if_covered`), a new hold holds the segments
after its own commit, and a lift, after releasing, checks again and re-holds what a hold
placed meanwhile covers.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor import audit
from proctor.db.base import utcnow
from proctor.db.models import LegalHold, Segment
from proctor.errors import Conflict, InvalidInput
from proctor.recording.archive import covering_segments
from proctor.recording.store import ObjectStore


def active_holds(db: Session, camera_id: int, start_ms: int, end_ms: int) -> list[LegalHold]:
    """The camera's unlifted holds overlapping ``[start_ms, end_ms)``."""
    return list(db.scalars(select(LegalHold).where(
        LegalHold.camera_id == camera_id, LegalHold.lifted_at.is_(None),
        LegalHold.to_ms > start_ms, LegalHold.from_ms < end_ms)))


def place_hold(db: Session, store: ObjectStore, camera_id: int, from_ms: int, to_ms: int,
               reason: str, actor: str) -> tuple[LegalHold, int]:
    """Record a hold (committed at once), then apply it to every covering segment; returns
    it and the count held. The caller commits the audit entry."""
    if to_ms <= from_ms:
        raise InvalidInput("'to' must be after 'from'")
    hold = LegalHold(camera_id=camera_id, from_ms=from_ms, to_ms=to_ms, reason=reason,
                     placed_by=actor)
    db.add(hold)
    db.commit()
    segments = covering_segments(db, camera_id, from_ms, to_ms)
    for segment in segments:
        store.set_legal_hold(segment.object_key, segment.version_id, True)
    audit.record(db, actor, "archive.legal_hold", f"camera:{camera_id}", hold_id=hold.id,
                 from_ms=from_ms, to_ms=to_ms, reason=reason, segments=len(segments))
    return hold, len(segments)


def lift_hold(db: Session, store: ObjectStore, hold: LegalHold, actor: str) -> int:
    """Lift a hold (committed at once); versions still covered by another active hold stay
    held. Returns how many versions were released."""
    if hold.lifted_at is not None:
        raise Conflict(f"legal hold {hold.id} was already lifted by {hold.lifted_by}")
    hold.lifted_at, hold.lifted_by = utcnow(), actor
    db.commit()
    released = [segment for segment in covering_segments(db, hold.camera_id, hold.from_ms,
                                                         hold.to_ms)
                if not active_holds(db, segment.camera_id, segment.start_ms, segment.end_ms)]
    for segment in released:
        store.set_legal_hold(segment.object_key, segment.version_id, False)
    db.commit()  # end the read transaction: the check below sees holds placed meanwhile
    placed_meanwhile = [segment for segment in released if hold_if_covered(db, store, segment)]
    audit.record(db, actor, "archive.legal_hold_lifted", f"camera:{hold.camera_id}",
                 hold_id=hold.id, released=len(released) - len(placed_meanwhile))
    return len(released) - len(placed_meanwhile)


def hold_if_covered(db: Session, store: ObjectStore, segment: Segment) -> bool:
    """Apply a legal hold to a newly stored segment inside an active hold's range."""
    if active_holds(db, segment.camera_id, segment.start_ms, segment.end_ms):
        store.set_legal_hold(segment.object_key, segment.version_id, True)
        return True
    return False
