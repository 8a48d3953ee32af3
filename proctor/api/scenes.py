"""Per-camera scene settings (expected headcount, seat and invigilator zones) and the tamper
reference picture. Changes apply to live analysis at once and are audit-logged."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy.orm import Session

from proctor import audit
from proctor.api.bodies import read_limited
from proctor.api.camera_access import SceneCamera, WatchableCamera
from proctor.api.deps import AnalyzerDep, CurrentUser, MediaDep, SessionDep
from proctor.api.schemas import SceneView
from proctor.db.models import CameraScene, User
from proctor.vision.scene import SceneSettings
from proctor.vision.scenes import REFERENCE_MAX_BYTES, encode_jpeg, load_scene, save_reference, \
    save_settings

if TYPE_CHECKING:
    from proctor.vision.analyzer import Analyzer

router = APIRouter(prefix="/api/cameras/{camera_id}/scene", tags=["scene"])


def _view(db: SessionDep, camera_id: int) -> SceneView:
    stored = load_scene(db, camera_id)
    return SceneView(camera_id=camera_id, settings=stored.settings,
                     reference_source=stored.reference_source, reference_at=stored.reference_at)


@router.get("")
def get_scene(camera: WatchableCamera, db: SessionDep) -> SceneView:
    """The camera's scene settings and where its reference picture came from."""
    return _view(db, camera.id)


@router.put("")
async def put_scene(camera: SceneCamera, body: SceneSettings, user: CurrentUser, db: SessionDep,
                    analyzer: AnalyzerDep) -> SceneView:
    """Replace the camera's scene settings; live analysis uses them from the next sample."""

    def save() -> SceneView:
        save_settings(db, camera.id, body, user.username)
        audit.record(db, f"user:{user.id}", "scene.update", f"camera:{camera.id}",
                     settings=body.model_dump(mode="json"))
        db.commit()
        return _view(db, camera.id)

    view = await run_in_threadpool(save)
    await _reload(analyzer, camera.id)
    return view


@router.put("/reference", status_code=status.HTTP_204_NO_CONTENT)
async def put_reference(camera: SceneCamera, request: Request, user: CurrentUser,
                        db: SessionDep, media: MediaDep, analyzer: AnalyzerDep) -> None:
    """Set the tamper reference: the JPEG/PNG in the body, or with an empty body the
    camera's current live picture."""
    body = await read_limited(request, REFERENCE_MAX_BYTES, "reference image")
    if not body:
        feed = media.feeds.get(camera.id)
        frame = feed.latest
        if frame is None or not feed.status().online:
            raise HTTPException(status.HTTP_409_CONFLICT,
                                detail=f"camera {camera.id} is not live: send a reference image "
                                "in the body, or retry while the camera publishes")
        body = await run_in_threadpool(encode_jpeg, frame.to_ndarray(format="bgr24"))
    await _save_reference(db, camera.id, body, user, "scene.reference", bytes=len(body))
    await _reload(analyzer, camera.id)


@router.delete("/reference", status_code=status.HTTP_204_NO_CONTENT)
async def delete_reference(camera: SceneCamera, user: CurrentUser, db: SessionDep,
                           analyzer: AnalyzerDep) -> None:
    """Forget the reference; the analyzer captures a new one from the next good picture."""
    await _save_reference(db, camera.id, None, user, "scene.reference_cleared")
    await _reload(analyzer, camera.id)


async def _save_reference(db: Session, camera_id: int, jpeg: bytes | None, user: User,
                          action: str, **details: int) -> None:
    """Store (or clear) the reference and audit it, off the event loop."""

    def save() -> None:
        save_reference(db, camera_id, jpeg, "operator", user.username)
        audit.record(db, f"user:{user.id}", action, f"camera:{camera_id}", **details)
        db.commit()

    await run_in_threadpool(save)


async def _reload(analyzer: Analyzer | None, camera_id: int) -> None:
    if analyzer is not None:
        await analyzer.reload_scene(camera_id)


@router.get("/reference.jpg")
def get_reference(camera: WatchableCamera, db: SessionDep) -> Response:
    """The reference picture (grey JPEG)."""
    row = db.get(CameraScene, camera.id)
    if row is None or row.reference_jpeg is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            detail=f"camera {camera.id} has no reference picture yet")
    return Response(row.reference_jpeg, media_type="image/jpeg")
