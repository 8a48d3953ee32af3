"""Legal holds on a camera's footage (complaint officers and administrators)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select

from proctor.api.archive import ArchiveDep
from proctor.api.camera_access import EvidenceCamera
from proctor.api.deps import CurrentScope, CurrentUser, SessionDep
from proctor.api.schemas import LegalHoldCreate, LegalHoldPublic
from proctor.auth.scope import CameraPlace, Permission
from proctor.db.models import Camera, LegalHold
from proctor.recording.legal_hold import lift_hold, place_hold

router = APIRouter(prefix="/api", tags=["legal-holds"])


@router.post("/cameras/{camera_id}/legal-holds", status_code=status.HTTP_201_CREATED)
async def place(camera: EvidenceCamera, body: LegalHoldCreate, user: CurrentUser,
                db: SessionDep, archive: ArchiveDep) -> LegalHoldPublic:
    """Hold every stored segment of the camera in the range (and any that arrive later)."""
    hold, held = await run_in_threadpool(place_hold, db, archive.store, camera.id, body.from_ms,
                                         body.to_ms, body.reason, f"user:{user.id}")
    return LegalHoldPublic.model_validate(hold).model_copy(update={"segments_held": held})


@router.get("/cameras/{camera_id}/legal-holds")
def list_holds(camera: EvidenceCamera, db: SessionDep) -> list[LegalHoldPublic]:
    """The camera's holds, active and lifted."""
    holds = db.scalars(select(LegalHold).where(LegalHold.camera_id == camera.id)
                       .order_by(LegalHold.id))
    return [LegalHoldPublic.model_validate(h) for h in holds]


@router.delete("/legal-holds/{hold_id}")
def lift(hold_id: int, scope: CurrentScope, db: SessionDep, archive: ArchiveDep) -> LegalHoldPublic:
    """Lift a hold; footage still under another active hold stays held (runs in the thread
    pool: database and store calls never block the event loop)."""
    hold = db.get(LegalHold, hold_id)
    if hold is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"legal hold {hold_id} does not exist")
    camera = db.get(Camera, hold.camera_id)
    if camera is None:  # the foreign key makes this impossible short of a corrupt database
        raise RuntimeError(f"legal hold {hold_id} refers to missing camera {hold.camera_id}")
    if not scope.allows(Permission.EXPORT_EVIDENCE, CameraPlace.of(camera)):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            detail=f"user '{scope.username}' may not lift legal hold {hold_id}")
    lift_hold(db, archive.store, hold, scope.actor)
    return LegalHoldPublic.model_validate(hold)
