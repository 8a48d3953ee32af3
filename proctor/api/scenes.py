"""Per-camera scene settings (expected headcount, seat and invigilator zones) and the tamper
reference picture. Changes apply to live analysis at once and are audit-logged."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from proctor.api.bodies import read_limited
from proctor.api.camera_access import SceneCamera, WatchableCamera
from proctor.api.deps import AnalyzerDep, CurrentUser, MediaDep, SessionDep
from proctor.api.schemas import SceneOccupancy, SceneView
from proctor.errors import Conflict
from proctor.media.service import MediaService
from proctor.scenes import service as scene_service
from proctor.scenes.records import load_scene
from proctor.vision.pictures import REFERENCE_MAX_BYTES, encode_jpeg
from proctor.vision.scene import SceneSettings
from proctor.vision.scene_store import StoredScene

if TYPE_CHECKING:
    from proctor.vision.analyzer import Analyzer

router = APIRouter(prefix="/api/cameras/{camera_id}/scene", tags=["scene"])


def _view(camera_id: int, stored: StoredScene) -> SceneView:
    return SceneView(camera_id=camera_id, settings=stored.settings,
                     reference_source=stored.reference_source, reference_at=stored.reference_at)


@router.get("")
def get_scene(camera: WatchableCamera, db: SessionDep) -> SceneView:
    """The camera's scene settings and where its reference picture came from."""
    return _view(camera.id, load_scene(db, camera.id))


@router.put("")
async def put_scene(camera: SceneCamera, body: SceneSettings, user: CurrentUser, db: SessionDep,
                    analyzer: AnalyzerDep) -> SceneView:
    """Replace the camera's scene settings; live analysis uses them from the next sample."""
    stored = await run_in_threadpool(scene_service.update_settings, db, camera.id, body, user)
    await _reload(analyzer, camera.id)
    return _view(camera.id, stored)


@router.put("/reference", status_code=status.HTTP_204_NO_CONTENT)
async def put_reference(camera: SceneCamera, request: Request, user: CurrentUser,
                        db: SessionDep, media: MediaDep, analyzer: AnalyzerDep) -> None:
    """Set the tamper reference: the JPEG/PNG in the body, or with an empty body the
    camera's current live picture."""
    body = await read_limited(request, REFERENCE_MAX_BYTES, "reference image")
    picture = body or await _live_picture(media, camera.id)
    await run_in_threadpool(scene_service.replace_reference, db, camera.id, picture, user)
    await _reload(analyzer, camera.id)


@router.delete("/reference", status_code=status.HTTP_204_NO_CONTENT)
async def delete_reference(camera: SceneCamera, user: CurrentUser, db: SessionDep,
                           analyzer: AnalyzerDep) -> None:
    """Forget the reference; the analyzer captures a new one from the next good picture."""
    await run_in_threadpool(scene_service.replace_reference, db, camera.id, None, user)
    await _reload(analyzer, camera.id)


@router.get("/reference.jpg")
def get_reference(camera: WatchableCamera, db: SessionDep) -> Response:
    """The reference picture (grey JPEG)."""
    return Response(scene_service.reference_picture(db, camera.id), media_type="image/jpeg")


@router.get("/occupancy")
def get_occupancy(camera: WatchableCamera, analyzer: AnalyzerDep) -> SceneOccupancy:
    """The people in each seat zone and the invigilator zone in the camera's latest analysed
    sample, with everyone counted and the expected count (live information)."""
    found = analyzer.occupancy(camera.id) if analyzer is not None else None
    if found is None:
        return SceneOccupancy(camera_id=camera.id, analysed=False, at=None, people=None,
                              expected=None, zones=[])
    return SceneOccupancy(camera_id=camera.id, analysed=True, at=found.at, people=found.people,
                          expected=found.expected, zones=found.zones)


async def _live_picture(media: MediaService, camera_id: int) -> bytes:
    """A JPEG of the camera's live picture; :class:`Conflict` when it is not live."""
    feed = media.feeds.get(camera_id)
    frame = feed.latest_frame()
    if frame is None or not feed.status().online:
        raise Conflict(f"camera {camera_id} is not live: send a reference image "
                       "in the body, or retry while the camera publishes")
    return await run_in_threadpool(encode_jpeg, frame.to_ndarray(format="bgr24"))


async def _reload(analyzer: Analyzer | None, camera_id: int) -> None:
    if analyzer is not None:
        await analyzer.reload_scene(camera_id)
