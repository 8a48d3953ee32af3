"""WHIP and WHEP on several nodes: a camera is published and watched on the node holding its
lease. Elsewhere the POST is answered 307 to the owner (RFC 9725 section 4.5; clients repeat
it there), or 503 with ``Retry-After`` when every node is full. On a single node these do
nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request

from proctor.media.sessions import RtcSession, SessionKind
from proctor.services import services_of


def _path(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


async def publish_owned(request: Request, camera_id: int,
                        publish: Callable[[], Awaitable[tuple[RtcSession, str]]],
                        ) -> tuple[RtcSession, str]:
    """Run ``publish`` once this node holds the camera's lease (or raise the redirect or
    refusal); the lease is released when the camera's last publisher here disconnects."""
    services = services_of(request.app)
    if services.cluster is None:
        return await publish()
    leases, sessions = services.cluster.leases, services.media.sessions

    async def release_unless_published() -> None:
        if not sessions.find(SessionKind.WHIP, camera_id):
            await leases.release(camera_id)

    await leases.place(camera_id, _path(request))
    try:
        session, answer = await publish()
    except BaseException:
        await release_unless_published()
        raise
    session.on_close.append(release_unless_published)
    return session, answer


async def redirect_viewer(request: Request, camera_id: int) -> None:
    """Raise the redirect to the node publishing the camera, if that is another one."""
    cluster = services_of(request.app).cluster
    if cluster is not None:
        await cluster.leases.redirect_viewer(camera_id, _path(request))
