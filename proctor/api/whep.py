"""WHEP playback: logged-in users watch the cameras they are allowed to see, for as long as
their login and permission last (see :mod:`proctor.auth.live_access`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from proctor.api.camera_access import WatchableCamera
from proctor.api.cluster_routing import redirect_viewer
from proctor.api.deps import CurrentUser, MediaDep, SessionDep, SettingsDep
from proctor.api.identity import presented_session_token
from proctor.api.params import SessionId
from proctor.api.sdp_http import read_sdp_offer, sdp_answer_response
from proctor.auth.secrets import hash_session_token
from proctor.db.session import release_connection
from proctor.media.feed import Stream
from proctor.media.sessions import SessionKind

router = APIRouter(tags=["whep"])

StreamPick = Annotated[Stream | None, Query(
    description="the camera stream to watch: `sub` (the smaller live picture) or `main` (full "
    "resolution, what is recorded). Without it: the sub stream when the camera publishes one, "
    "else its only stream, as an NVR's live wall shows. 404 names the streams it publishes.")]


@router.post("/whep/{camera_id}", status_code=status.HTTP_201_CREATED)
async def whep_play(
    camera: WatchableCamera, user: CurrentUser, request: Request,
    media: MediaDep, settings: SettingsDep, db: SessionDep, stream: StreamPick = None,
) -> Response:
    """Watch a camera live: ``application/sdp`` offer (recvonly, H.264) in, answer out. On
    several nodes, a camera another node publishes is redirected there (307)."""
    await redirect_viewer(request, camera.id)
    body = await read_sdp_offer(request, settings)
    token = presented_session_token(request)
    assert token is not None  # CurrentUser resolved one
    viewer, camera_id = f"user:{user.id}", camera.id
    release_connection(db)
    session, answer = await media.play(camera_id, viewer,
                                       hash_session_token(token, settings.session_key), body,
                                       stream)
    return sdp_answer_response(session, answer, settings)


@router.delete("/whep/{camera_id}/sessions/{session_id}")
async def whep_end(
    camera: WatchableCamera, session_id: SessionId, user: CurrentUser, media: MediaDep
) -> Response:
    """Stop watching."""
    await media.end(SessionKind.WHEP, camera.id, session_id, f"user:{user.id}")
    return Response(status_code=status.HTTP_200_OK)
