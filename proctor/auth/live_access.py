"""Live sessions keep the access they were opened with only while it lasts.

A WHEP viewer was let in by a console login, a WHIP publisher by a device token. Every
``RECHECK_S`` seconds the server checks each live session again and ends the ones whose
access is gone: the login ended (logout, password reset, expiry), the user was disabled or
lost the camera's site or region, a drawn supervisor's session window closed, the device
was disabled or its token rotated, the camera moved to another device. Changes made with
the CLI in another process are caught the same way.

Time-limited access ends on its own: when a kept viewer's access runs out before the next
periodic check (a drawn supervisor's window closes), the guard checks again at that moment.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from proctor.auth.grants import GrantSource
from proctor.auth.scope import CameraPlace, Permission, load_scope
from proctor.auth.sessions import user_for_token_hash
from proctor.db.base import utcnow
from proctor.db.models import Camera, Device
from proctor.db.session import session_scope
from proctor.media.sessions import RtcSession, SessionKind, SessionRegistry

logger = logging.getLogger(__name__)
RECHECK_S = 30.0
NEW_SESSIONS_POLL_S = 1.0  # how soon a new session is checked (and its time limit learnt)


class LiveAccessGuard:
    """Ends live sessions whose access is gone: every ``RECHECK_S`` seconds, and at once
    when :meth:`wake` is called (after every committed change of access: see
    :mod:`proctor.auth.access_changes`), and when a kept viewer's time-limited access runs
    out. ``sources`` are the camera grant sources scopes are loaded with."""

    def __init__(self, registry: SessionRegistry, session_factory: sessionmaker[Session],
                 interval_s: float = RECHECK_S, sources: Sequence[GrantSource] = ()) -> None:
        self.registry = registry
        self.session_factory = session_factory
        self.interval_s = interval_s
        self.sources = tuple(sources)
        self._next_expiry: datetime | None = None
        self._checked: set[str] = set()  # the sessions the last check saw
        self._wake = asyncio.Event()
        self._watchers: set[asyncio.Event] = set()  # see access_changes()
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self._guard_forever(), name="live-access-guard")

    def wake(self) -> None:
        """Check now (callable from any thread; call after the change is committed)."""
        self._loop.call_soon_threadsafe(self._changed)

    def _changed(self) -> None:
        self._wake.set()
        for watcher in self._watchers:
            watcher.set()

    @contextlib.contextmanager
    def access_changes(self) -> Iterator[asyncio.Event]:
        """An event set whenever access may have changed (as :meth:`wake`), for streams
        other than RTC sessions to recheck at once (the alert WebSocket); clear it after
        each recheck."""
        watcher = asyncio.Event()
        self._watchers.add(watcher)
        try:
            yield watcher
        finally:
            self._watchers.discard(watcher)

    async def close(self) -> None:
        """Stop checking."""
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _guard_forever(self) -> None:
        next_round = self._loop.time() + self.interval_s
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._wait_s(next_round))
            everything = self._wake.is_set() or self._loop.time() >= next_round or (
                self._next_expiry is not None and self._next_expiry <= utcnow())
            new = [s for s in self.registry.all() if s.id not in self._checked]
            if not (everything or new):
                continue
            if everything:
                self._wake.clear()
                next_round = self._loop.time() + self.interval_s
            try:
                await self.check(None if everything else new)
            except Exception:  # noqa: BLE001 - e.g. the database is briefly locked: next round
                logger.exception("checking live sessions' access failed")

    def _wait_s(self, next_round: float) -> float:
        """Until the next periodic round, the next expiry or the next look for new sessions."""
        waits = [next_round - self._loop.time(), NEW_SESSIONS_POLL_S]
        if self._next_expiry is not None:
            waits.append((self._next_expiry - utcnow()).total_seconds())
        return max(0.0, min(waits))

    async def check(self, only: list[RtcSession] | None = None) -> int:
        """End the sessions whose access is gone; returns how many. ``only``: just these
        (the sessions opened since the last check: in a storm of publishers, checking every
        live session each second cost a query per session per second)."""
        sessions = self.registry.all() if only is None else only
        if only is None:
            self._next_expiry = None
            self._checked = set()
        self._checked |= {session.id for session in sessions}
        if not sessions:
            return 0

        def find() -> Recheck:
            with session_scope(self.session_factory) as db:
                return revoked(db, sessions, self.sources)

        recheck = await asyncio.to_thread(find)
        if recheck.next_expiry is not None:
            self._next_expiry = min(filter(None, (self._next_expiry, recheck.next_expiry)))
        ended = recheck.ended
        for session, reason in ended:
            logger.warning("live session ended: %s", reason, extra={
                "kind": session.kind.value, "camera": session.camera_id,
                "owner": session.owner, "session": session.id})
            await self.registry.close(session.id)
        return len(ended)


@dataclass(frozen=True)
class Recheck:
    """The outcome of one check: the sessions to end, each with the reason, and the
    earliest moment a kept viewer's time-limited access runs out."""

    ended: list[tuple[RtcSession, str]]
    next_expiry: datetime | None


def revoked(db: Session, sessions: list[RtcSession], sources: Sequence[GrantSource] = (),
            at: datetime | None = None) -> Recheck:
    """The sessions whose access has ended at ``at`` (default: now), each with the reason."""
    moment = at or utcnow()
    cameras = {camera.id: camera for camera in db.scalars(
        select(Camera).where(Camera.id.in_({s.camera_id for s in sessions})))}
    devices = {device.id: device for device in db.scalars(select(Device).where(Device.id.in_(
        {_publisher_device(s) for s in sessions if s.kind is SessionKind.WHIP})))}
    ended, expiries = [], []
    for session in sessions:
        camera = cameras.get(session.camera_id)
        expiry: datetime | None = None
        if camera is None:
            reason: str | None = f"camera {session.camera_id} was removed"
        elif session.kind is SessionKind.WHEP:
            reason, expiry = _viewer_access(db, session, camera, sources, moment)
        else:
            reason = _publisher_revoked(devices.get(_publisher_device(session)), session,
                                        camera)
        if reason is not None:
            ended.append((session, reason))
        elif expiry is not None:
            expiries.append(expiry)
    return Recheck(ended, min(expiries, default=None))


def _viewer_access(db: Session, session: RtcSession, camera: Camera,
                   sources: Sequence[GrantSource],
                   at: datetime) -> tuple[str | None, datetime | None]:
    """Why the viewer must go (or ``None``), and until when it may stay if that is limited."""
    user = user_for_token_hash(db, session.credential)
    if user is None:
        return ("the viewer's login ended (logout, password change, expiry or a disabled "
                "user)"), None
    scope = load_scope(db, user, at, sources)
    place = CameraPlace.of(camera)
    if not scope.allows(Permission.WATCH_LIVE, place):
        return f"user {user.username} may no longer watch camera {camera.id}", None
    return None, scope.live_until(place)


def _publisher_device(session: RtcSession) -> int:
    return int(session.owner.removeprefix("device:"))


def _publisher_revoked(device: Device | None, session: RtcSession,
                       camera: Camera) -> str | None:
    if device is None or not device.is_active:
        return "the device was disabled"
    if device.token_hash != session.credential:
        return "the device's token was rotated"
    if camera.device_id != device.id:
        return f"camera {camera.id} is now assigned to another device"
    return None
