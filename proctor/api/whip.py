"""WHIP ingest (RFC 9725): edge devices publish their own cameras."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from proctor.api.camera_access import PublishableCamera
from proctor.api.cluster_routing import publish_owned
from proctor.api.deps import CurrentDevice, MediaDep, SessionDep, SettingsDep
from proctor.api.params import SessionId
from proctor.api.sdp_http import read_sdp_offer, sdp_answer_response
from proctor.db.session import release_connection
from proctor.media.sessions import SessionKind
from proctor.recording.reports import note_agent_seen

router = APIRouter(tags=["whip"])


@router.post("/whip/{camera_id}", status_code=status.HTTP_201_CREATED)
async def whip_publish(
    camera: PublishableCamera, device: CurrentDevice, request: Request,
    media: MediaDep, settings: SettingsDep, db: SessionDep,
) -> Response:
    """Publish a camera: ``application/sdp`` offer in, SDP answer and ``Location`` out.

    A second publisher for a camera that is live replaces the first one (the usual case is
    an agent that restarted before its old session timed out). On several nodes, a camera
    another node publishes is redirected there (307), and 503 says every node is full.
    """
    body = await read_sdp_offer(request, settings)
    owner, token_hash = f"device:{device.id}", device.token_hash
    note_agent_seen(device)  # it presented a valid token for its own camera
    release_connection(db)
    session, answer = await publish_owned(request, camera.id, lambda: media.publish(
        camera.id, owner, token_hash, body))
    return sdp_answer_response(session, answer, settings)


@router.delete("/whip/{camera_id}/sessions/{session_id}")
async def whip_end(
    camera: PublishableCamera, session_id: SessionId, device: CurrentDevice, media: MediaDep
) -> Response:
    """End a publishing session."""
    await media.end(SessionKind.WHIP, camera.id, session_id, f"device:{device.id}")
    return Response(status_code=status.HTTP_200_OK)


@router.patch("/whip/{camera_id}/sessions/{session_id}", responses={
    405: {"description": "trickle ICE is not supported: send a complete offer"}})
async def whip_trickle(camera: PublishableCamera, session_id: SessionId) -> Response:
    """Trickle ICE is not supported: offers must carry all candidates (RFC 9725 4.3.1). Only
    the camera's own device is told so; anyone else is refused first."""
    return Response(
        status_code=status.HTTP_405_METHOD_NOT_ALLOWED,
        headers={"Allow": "DELETE"},
        content="trickle ICE is not supported; send a complete offer",
    )
