"""The legal holds API's database work: a camera's holds, and lifting one for a user whose
scope lets them hold that camera's footage (:mod:`proctor.recording.legal_hold` does the
placing, lifting and reconciling itself)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor.auth.scope import CameraPlace, Permission, Scope
from proctor.db.models import Camera, LegalHold
from proctor.errors import Forbidden, NotFound
from proctor.recording.legal_hold import lift_hold
from proctor.recording.store import ObjectStore, require_store


def camera_holds(db: Session, camera_id: int) -> list[LegalHold]:
    """The camera's holds, active and lifted, oldest first."""
    return list(db.scalars(select(LegalHold).where(LegalHold.camera_id == camera_id)
                           .order_by(LegalHold.id)))


def lift_in_scope(db: Session, store: ObjectStore | None, scope: Scope,
                  hold_id: int) -> LegalHold:
    """Lift the hold if it exists on a camera within the scope (:class:`NotFound` otherwise,
    saying neither, as for cameras) and the scope may export or hold its camera's footage
    (:class:`Forbidden`), then with the store (:func:`require_store`); see :func:`lift_hold`."""
    hold = db.get(LegalHold, hold_id)
    camera = db.get(Camera, hold.camera_id) if hold is not None else None
    if hold is None or camera is None or not scope.sees(CameraPlace.of(camera)):
        raise NotFound(f"legal hold {hold_id} does not exist or is not yours to see")
    if not scope.allows(Permission.EXPORT_EVIDENCE, CameraPlace.of(camera)):
        raise Forbidden(f"user '{scope.username}' may not lift legal hold {hold_id}")
    lift_hold(db, require_store(store, "legal holds"), hold, scope.actor)
    return hold
