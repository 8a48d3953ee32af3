"""HTTP parts shared by WHIP and WHEP (RFC 9725 / WHEP draft): bodies, answers, ICE links."""

from __future__ import annotations

from fastapi import HTTPException, Request, Response, status

from proctor.api.bodies import read_limited
from proctor.config import Settings
from proctor.media.sessions import RtcSession

SDP_MEDIA_TYPE = "application/sdp"


async def read_sdp_offer(request: Request, settings: Settings) -> bytes:
    """The request body, after checking its media type (415) and size (413)."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != SDP_MEDIA_TYPE:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            detail=f"send the SDP offer as Content-Type: {SDP_MEDIA_TYPE} "
                   f"(got {media_type or 'none'})",
        )
    return await read_limited(request, settings.max_sdp_bytes, "SDP offer")


def ice_server_links(settings: Settings) -> list[str]:
    """``Link: <url>; rel="ice-server"`` values (RFC 9725 section 4.6) for the configured
    servers."""
    links = []
    for server in settings.ice_servers:
        for url in server.urls:
            link = f'<{url}>; rel="ice-server"'
            if server.username and server.credential:
                link += (
                    f'; username="{server.username}"; credential="{server.credential}"; '
                    'credential-type="password"'
                )
            links.append(link)
    return links


def sdp_answer_response(session: RtcSession, answer: str, settings: Settings) -> Response:
    """``201 Created`` with the answer and the session resource in ``Location``."""
    response = Response(
        content=answer,
        status_code=status.HTTP_201_CREATED,
        media_type=SDP_MEDIA_TYPE,
        headers={"Location": session.resource_path, "ETag": f'"{session.id}"'},
    )
    for link in ice_server_links(settings):
        response.headers.append("Link", link)
    return response
