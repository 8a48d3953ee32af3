"""Live alerts over a WebSocket: per-camera headcount and event open/update/close, for the
cameras the logged-in user may watch.

Authentication is the console's session cookie (the browser sends it on the upgrade, and
the ``Origin`` must be this server, so another site cannot open the socket with the user's
cookie) or ``Authorization: Bearer pst_...`` for API clients. The session is checked again
at once after any committed change of access (the live-access guard's
:meth:`~proctor.auth.live_access.LiveAccessGuard.access_changes`) and every ``RECHECK_S``
seconds, however busy the stream, so a logout, a disabled user or a lost site grant ends it
at once, and an expired session within ``RECHECK_S``; a changed camera scope is sent as a
new hello.

Messages (:mod:`proctor.events.messages`, sent as JSON): a hello first, with the state of
every allowed camera and its open events; then a camera message when a camera's count or
picture status changes and an event message when an event opens, gets worse or closes.
Clustered, each message after the hello carries ``seq``, its place in the alert stream; a
console reconnecting with ``?after=<the last seq it saw>`` gets the messages it missed
(after an API node restart, say) right after the hello, then the live ones. On one node
messages carry no ``seq`` and ``after`` replays nothing: the hello is the fresh picture.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Annotated

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect, status

from proctor.api.identity import authenticate
from proctor.api.params import MAX_ID
from proctor.auth.scope import Permission, cameras_in_scope, load_scope
from proctor.db.session import session_scope
from proctor.errors import Forbidden, NotAuthenticated
from proctor.events import service
from proctor.events.hub import AlertSubscription
from proctor.events.messages import AlertMessage, CameraMessage, HelloMessage
from proctor.services import services_of

router = APIRouter(tags=["live"])
RECHECK_S = 30.0


WATCH = frozenset({Permission.WATCH_LIVE})


def _allowed_cameras(websocket: WebSocket) -> set[int] | None:
    """The cameras the connection's user may watch, or ``None`` if it is not logged in
    (see :func:`proctor.api.identity.authenticate`: the same rules as HTTP requests)."""
    services = services_of(websocket.app)
    with session_scope(services.session_factory) as db:
        try:
            user = authenticate(websocket, db, services.settings.session_key)
        except (NotAuthenticated, Forbidden):
            return None
        scope = load_scope(db, user, sources=services.scope_sources)
        return {camera.id for camera in cameras_in_scope(db, scope, WATCH)}


def _hello(websocket: WebSocket, cameras: set[int]) -> HelloMessage:
    services = services_of(websocket.app)
    analyzer = services.analyzer
    with session_scope(services.session_factory) as db:
        events = service.open_events(db, cameras)
    states = [analyzer.camera_state(camera) for camera in sorted(cameras)] if analyzer else []
    return HelloMessage(analysis=analyzer is not None, events=events,
                        cameras=[CameraMessage.of(s) for s in states if s is not None])


async def _send(websocket: WebSocket, message: AlertMessage, seq: int | None = None) -> None:
    payload = message.model_dump(mode="json")
    if seq is not None:
        payload["seq"] = seq
    await websocket.send_json(payload)


@router.websocket("/api/live/alerts")
async def live_alerts(websocket: WebSocket, after: Annotated[int | None, Query(
        ge=0, le=MAX_ID, description="the last seq this console saw: the messages after it "
        "are replayed (clustered servers)")] = None) -> None:
    """Stream analysis state and events of the user's cameras (see the module docstring)."""
    cameras = await asyncio.to_thread(_allowed_cameras, websocket)
    await websocket.accept()  # then close with a reason the client can read (not a bare 403)
    if cameras is None:
        await websocket.close(status.WS_1008_POLICY_VIOLATION,
                              reason="log in first: no valid session cookie from this site "
                              "or bearer token")
        return
    services = services_of(websocket.app)
    subscription = services.alerts.subscribe(cameras)
    listener = asyncio.create_task(_drain(websocket))
    try:
        await _send(websocket, await asyncio.to_thread(_hello, websocket, cameras))
        last_sent = 0  # the newest stream message replayed: arriving live too, not sent twice
        if after is not None:
            for message, seq in await services.alerts.replay(cameras, after):
                await _send(websocket, message, seq)
                last_sent = seq
        with services.live_access.access_changes() as changed:
            await _stream(websocket, subscription, listener, changed, last_sent)
    except WebSocketDisconnect:
        pass
    finally:
        subscription.close()
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
            await listener


async def _stream(websocket: WebSocket, subscription: AlertSubscription,
                  listener: asyncio.Task[None], changed: asyncio.Event,
                  replayed_to: int) -> None:
    """Forward messages until the client leaves, its session ends or it falls behind; after
    any change of access (``changed``) and every ``RECHECK_S`` (busy or idle) the session and
    camera scope are checked again, and a changed scope gets a fresh hello. Stream messages
    up to ``replayed_to`` were sent already (replayed while they also arrived live)."""
    recheck_at = time.monotonic() + RECHECK_S
    while True:
        getter = asyncio.ensure_future(subscription.next_delivery())
        change = asyncio.ensure_future(changed.wait())
        done, _ = await asyncio.wait({getter, listener, change},
                                     timeout=max(0.0, recheck_at - time.monotonic()),
                                     return_when=asyncio.FIRST_COMPLETED)
        for waiting in (getter, change):
            if waiting not in done:
                waiting.cancel()
        if listener in done:
            return
        if getter in done:
            message, seq = getter.result()
            if seq is None or seq > replayed_to:
                await _send(websocket, message, seq)
            if subscription.overflowed:
                await websocket.close(status.WS_1013_TRY_AGAIN_LATER,
                                      reason="too slow reading alerts: reconnect")
                return
        if time.monotonic() < recheck_at and not changed.is_set():
            continue
        changed.clear()
        recheck_at = time.monotonic() + RECHECK_S
        refreshed = await asyncio.to_thread(_allowed_cameras, websocket)
        if refreshed is None:
            await websocket.close(status.WS_1008_POLICY_VIOLATION,
                                  reason="session ended: log in again")
            return
        if refreshed != subscription.camera_ids:
            subscription.set_cameras(refreshed)
            await _send(websocket, await asyncio.to_thread(_hello, websocket, refreshed))


async def _drain(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, text or binary, to notice when it goes away."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
