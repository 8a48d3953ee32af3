"""Legal holds on a camera's footage (complaint officers and administrators)."""

from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.concurrency import run_in_threadpool

from proctor.api.archive import ArchiveDep
from proctor.api.camera_access import EvidenceCamera
from proctor.api.deps import CurrentScope, CurrentUser, SessionDep, StoreDep
from proctor.api.params import Id
from proctor.api.schemas import LegalHoldCreate, LegalHoldPublic
from proctor.recording.legal_hold import place_hold
from proctor.recording.legal_hold_service import camera_holds, lift_in_scope

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
    return [LegalHoldPublic.model_validate(h) for h in camera_holds(db, camera.id)]


@router.delete("/legal-holds/{hold_id}")
def lift(hold_id: Id, scope: CurrentScope, db: SessionDep, store: StoreDep) -> LegalHoldPublic:
    """Lift a hold; footage still under another active hold stays held (runs in the thread
    pool: database and store calls never block the event loop; 503 without an object store,
    once access is decided)."""
    return LegalHoldPublic.model_validate(lift_in_scope(db, store, scope, hold_id))
