"""WHEP playback: logged-in users watch the cameras they are allowed to see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status

from proctor.api.deps import CurrentUser, MediaDep, SessionDep, SettingsDep
from proctor.api.sdp_http import read_sdp_offer, sdp_answer_response
from proctor.auth.policy import can_watch_camera
from proctor.db.models import Camera
from proctor.media.sessions import SessionKind

router = APIRouter(tags=["whep"])


def watchable_camera(camera_id: int, user: CurrentUser, db: SessionDep) -> Camera:
    """The camera, if it exists (404) and the user may watch it (403)."""
    camera = db.get(Camera, camera_id)
    if camera is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"camera {camera_id} does not exist")
    if not can_watch_camera(user, camera):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"user '{user.username}' may not watch camera {camera_id}",
        )
    return camera


WatchableCamera = Annotated[Camera, Depends(watchable_camera)]


@router.post("/whep/{camera_id}", status_code=status.HTTP_201_CREATED)
async def whep_play(
    camera: WatchableCamera, user: CurrentUser, request: Request,
    media: MediaDep, settings: SettingsDep,
) -> Response:
    """Watch a camera live: ``application/sdp`` offer (recvonly, H.264) in, answer out."""
    body = await read_sdp_offer(request, settings)
    session, answer = await media.play(camera.id, f"user:{user.id}", body)
    return sdp_answer_response(session, answer, settings)


@router.delete("/whep/{camera_id}/sessions/{session_id}")
async def whep_end(
    camera: WatchableCamera, session_id: str, user: CurrentUser, media: MediaDep
) -> Response:
    """Stop watching."""
    await media.end(SessionKind.WHEP, camera.id, session_id, f"user:{user.id}")
    return Response(status_code=status.HTTP_200_OK)
