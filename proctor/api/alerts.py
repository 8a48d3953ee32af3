"""Live alerts over a WebSocket: per-camera headcount and event open/update/close, for the
cameras the logged-in user may watch.

Authentication is the console's session cookie (the browser sends it on the upgrade, and
the ``Origin`` must be this server, so another site cannot open the socket with the user's
cookie) or ``Authorization: Bearer pst_...`` for API clients. The session is checked again
every ``RECHECK_S`` seconds, however busy the stream, so a logout, an expired session or a
lost site grant ends it; a changed camera scope is sent as a new hello.

Messages (JSON): ``{"type": "hello", "cameras": [...], "events": [...]}`` first, with the
state of every allowed camera and its open events; then ``{"type": "camera", ...}`` when a
camera's count or picture status changes and ``{"type": "event", "action":
"open|update|close", "event": {...}}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status
from sqlalchemy import select

from proctor.api.deps import SESSION_COOKIE
from proctor.auth.policy import can_watch_camera, visible_cameras_query
from proctor.auth.sessions import user_for_session_token
from proctor.db.models import Event
from proctor.db.session import session_scope
from proctor.vision.alerts import AlertSubscription
from proctor.vision.events import event_view

router = APIRouter(tags=["live"])
RECHECK_S = 30.0


def _token(websocket: WebSocket) -> str | None:
    """The bearer token, or the session cookie if the page is this server's own."""
    scheme, _, token = websocket.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    origin = websocket.headers.get("origin", "")
    if urlsplit(origin).netloc != websocket.headers.get("host", ""):
        return None  # a cookie sent by another site's page (cross-site WebSocket hijacking)
    return websocket.cookies.get(SESSION_COOKIE)


def _allowed_cameras(websocket: WebSocket, token: str) -> set[int] | None:
    """The cameras the token's user may watch, or ``None`` if the session is not valid."""
    state = websocket.app.state
    with session_scope(state.session_factory) as db:
        user = user_for_session_token(db, token, state.settings.session_key)
        if user is None:
            return None
        return {camera.id for camera in db.scalars(visible_cameras_query(user))
                if can_watch_camera(user, camera)}


def _hello(websocket: WebSocket, cameras: set[int]) -> dict[str, Any]:
    state = websocket.app.state
    analyzer = state.analyzer
    with session_scope(state.session_factory) as db:
        rows = db.scalars(select(Event).where(Event.ended_at.is_(None),
                                              Event.camera_id.in_(cameras)).order_by(Event.id))
        events = [event_view(row).model_dump(mode="json") for row in rows]
    states = [analyzer.camera_state(camera) for camera in sorted(cameras)] if analyzer else []
    return {"type": "hello", "analysis": analyzer is not None,
            "cameras": [s for s in states if s is not None], "events": events}


@router.websocket("/api/live/alerts")
async def live_alerts(websocket: WebSocket) -> None:
    """Stream analysis state and events of the user's cameras (see the module docstring)."""
    token = _token(websocket)
    cameras = await asyncio.to_thread(_allowed_cameras, websocket, token) if token else None
    await websocket.accept()  # then close with a reason the client can read (not a bare 403)
    if token is None or cameras is None:
        await websocket.close(status.WS_1008_POLICY_VIOLATION,
                              reason="log in first: no valid session cookie from this site "
                              "or bearer token")
        return
    hub = websocket.app.state.alerts
    subscription = hub.subscribe(cameras)
    listener = asyncio.create_task(_drain(websocket))
    try:
        await websocket.send_json(await asyncio.to_thread(_hello, websocket, cameras))
        await _stream(websocket, token, subscription, listener)
    except WebSocketDisconnect:
        pass
    finally:
        subscription.close()
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
            await listener


async def _stream(websocket: WebSocket, token: str, subscription: AlertSubscription,
                  listener: asyncio.Task[None]) -> None:
    """Forward messages until the client leaves, its session ends or it falls behind; every
    ``RECHECK_S`` (busy or idle) the session and camera scope are checked again, and a
    changed scope gets a fresh hello."""
    recheck_at = time.monotonic() + RECHECK_S
    while True:
        getter = asyncio.ensure_future(subscription.next_message())
        done, _ = await asyncio.wait({getter, listener},
                                     timeout=max(0.0, recheck_at - time.monotonic()),
                                     return_when=asyncio.FIRST_COMPLETED)
        if getter not in done:
            getter.cancel()
        if listener in done:
            return
        if getter in done:
            await websocket.send_json(getter.result())
            if subscription.overflowed:
                await websocket.close(status.WS_1013_TRY_AGAIN_LATER,
                                      reason="too slow reading alerts: reconnect")
                return
        if time.monotonic() < recheck_at:
            continue
        recheck_at = time.monotonic() + RECHECK_S
        refreshed = await asyncio.to_thread(_allowed_cameras, websocket, token)
        if refreshed is None:
            await websocket.close(status.WS_1008_POLICY_VIOLATION,
                                  reason="session ended: log in again")
            return
        if refreshed != subscription.camera_ids:
            subscription.set_cameras(refreshed)
            await websocket.send_json(await asyncio.to_thread(_hello, websocket, refreshed))


async def _drain(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, text or binary, to notice when it goes away."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
