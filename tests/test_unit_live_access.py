"""The live-access recheck without a server: :func:`revoked` on a real (SQLite) directory,
for every way a viewer's or a publisher's access ends, and the :class:`LiveAccessGuard`
that runs it on a registry of sessions whose peer connections never connect (no ICE
servers, nothing is sent)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiortc import RTCConfiguration, RTCPeerConnection
from sqlalchemy.orm import Session, sessionmaker
from support.batches import database
from support.places import ADMIN, Place, add_user, build_place
from support.wait import wait_until

from proctor import directory
from proctor.auth.grants import CameraGrant, GrantSource, Window
from proctor.auth.live_access import LiveAccessGuard, Recheck, revoked
from proctor.auth.secrets import hash_session_token
from proctor.db.base import utcnow
from proctor.db.models import Camera, Device, Role, User, UserSession
from proctor.db.session import create_db_engine, create_session_factory
from proctor.media.sessions import RtcSession, SessionKind, SessionRegistry

KEY = b"k" * 32
DATABASE_FILE = "batches.db"  # where support.batches.database puts it
NOW = utcnow()


@dataclass(frozen=True)
class Live:
    """A site with a camera, a viewer granted the site and logged in, and the device's
    current token hash."""

    place: Place
    viewer: User
    login_hash: str


def log_in(db: Session, user: User, token: str, expires_at: datetime) -> str:
    """A console login of ``user``; returns its stored hash (what a session carries)."""
    token_hash = hash_session_token(token, KEY)
    db.add(UserSession(user_id=user.id, token_hash=token_hash, expires_at=expires_at))
    db.flush()
    return token_hash


@pytest.fixture
def live(db: Session) -> Live:
    place = build_place(db, "A")
    viewer = add_user(db, "operator", Role.ORG_OPERATOR, [place.site])
    token_hash = log_in(db, viewer, "viewer", NOW + timedelta(hours=8))
    db.commit()
    return Live(place, viewer, token_hash)


def viewer_session(live: Live, credential: str | None = None,
                   camera_id: int | None = None) -> RtcSession:
    return RtcSession(SessionKind.WHEP, camera_id or live.place.camera.id,
                      f"user:{live.viewer.id}", credential or live.login_hash, quiet_pc())


def publisher_session(device: Device, camera_id: int) -> RtcSession:
    return RtcSession(SessionKind.WHIP, camera_id, f"device:{device.id}", device.token_hash,
                      quiet_pc())


def quiet_pc() -> RTCPeerConnection:
    """A peer connection that knows no ICE server (never aiortc's public default)."""
    return RTCPeerConnection(RTCConfiguration(iceServers=[]))


def reasons(db: Session, sessions: list[RtcSession], sources: Iterable[GrantSource] = (),
            at: datetime | None = None) -> list[str]:
    return [reason for _, reason in revoked(db, sessions, tuple(sources), at).ended]


def test_a_viewer_and_a_publisher_with_their_access_are_kept(db: Session, live: Live) -> None:
    camera = live.place.camera
    recheck = revoked(db, [viewer_session(live), publisher_session(live.place.device, camera.id)])
    assert recheck.ended == []
    assert recheck.next_expiry is None  # a site grant is not time-limited


def test_a_removed_camera_ends_every_session_on_it(db: Session, live: Live) -> None:
    session = viewer_session(live, camera_id=live.place.camera.id + 100)
    assert reasons(db, [session]) == [f"camera {live.place.camera.id + 100} was removed"]


@pytest.mark.parametrize("how", ["logout", "expiry", "disabled"])
def test_a_viewer_whose_login_ended_is_ended(db: Session, live: Live, how: str) -> None:
    row = db.query(UserSession).filter_by(token_hash=live.login_hash).one()
    if how == "logout":
        db.delete(row)
    elif how == "expiry":
        row.expires_at = utcnow() - timedelta(seconds=1)
    else:
        live.viewer.is_active = False
    db.commit()
    assert reasons(db, [viewer_session(live)]) == [
        "the viewer's login ended (logout, password change, expiry or a disabled user)"]


def test_a_viewer_who_lost_the_site_is_ended_and_only_that_viewer(db: Session, live: Live) -> None:
    other = add_user(db, "colleague", Role.ORG_OPERATOR, [live.place.site])
    other_login = log_in(db, other, "colleague", NOW + timedelta(hours=8))
    directory.update_user(db, ADMIN, live.viewer.id, site_ids=[])
    db.commit()
    kept = RtcSession(SessionKind.WHEP, live.place.camera.id, f"user:{other.id}", other_login,
                      quiet_pc())
    recheck = revoked(db, [viewer_session(live), kept])
    assert [(s.owner, reason) for s, reason in recheck.ended] == [
        (f"user:{live.viewer.id}",
         f"user operator may no longer watch camera {live.place.camera.id}")]


def test_a_role_without_live_viewing_is_ended(db: Session, live: Live) -> None:
    auditor = add_user(db, "auditor", Role.AUDITOR, [live.place.site])
    login = log_in(db, auditor, "auditor", NOW + timedelta(hours=8))
    db.commit()
    session = RtcSession(SessionKind.WHEP, live.place.camera.id, f"user:{auditor.id}", login,
                         quiet_pc())
    assert reasons(db, [session]) == [
        f"user auditor may no longer watch camera {live.place.camera.id}"]


def window_source(camera_id: int, user_id: int, *windows: Window) -> GrantSource:
    """A grant source (as the supervision wing's assignments) giving ``user_id`` the camera
    during ``windows``."""
    def grants(_db: Session, user: User) -> list[CameraGrant]:
        if user.id != user_id:
            return []
        return [CameraGrant(camera_id, windows, windows[-1].end + timedelta(days=30),
                            "batch 1")]
    return grants


@pytest.fixture
def drawn(db: Session, live: Live) -> tuple[RtcSession, User]:
    """A drawn supervisor without site grants, logged in, watching the camera."""
    supervisor = add_user(db, "drawn", Role.SUPERVISOR, [])
    login = log_in(db, supervisor, "drawn", NOW + timedelta(days=2))
    db.commit()
    return RtcSession(SessionKind.WHEP, live.place.camera.id, f"user:{supervisor.id}", login,
                      quiet_pc()), supervisor


def test_a_drawn_supervisor_is_kept_until_the_window_closes_and_ended_after(
        db: Session, live: Live, drawn: tuple[RtcSession, User]) -> None:
    session, supervisor = drawn
    first = Window(NOW - timedelta(hours=1), NOW + timedelta(hours=1))
    second = Window(NOW + timedelta(hours=3), NOW + timedelta(hours=4))
    source = window_source(live.place.camera.id, supervisor.id, first, second)
    during = revoked(db, [session], (source,), at=NOW)
    assert during.ended == [] and during.next_expiry == first.end
    assert reasons(db, [session], [source], at=first.end) == [
        f"user drawn may no longer watch camera {live.place.camera.id}"]  # end is exclusive
    assert revoked(db, [session], (source,), at=second.start).next_expiry == second.end
    assert reasons(db, [session], [], at=NOW) != []  # without the source: no access at all


def test_the_next_expiry_is_the_earliest_of_the_kept_viewers(
        db: Session, live: Live, drawn: tuple[RtcSession, User]) -> None:
    session, supervisor = drawn
    later = add_user(db, "drawn2", Role.SUPERVISOR, [])
    login = log_in(db, later, "drawn2", NOW + timedelta(days=2))
    db.commit()
    camera = live.place.camera.id
    sources = (window_source(camera, supervisor.id, Window(NOW, NOW + timedelta(minutes=5))),
               window_source(camera, later.id, Window(NOW, NOW + timedelta(minutes=50))))
    other = RtcSession(SessionKind.WHEP, camera, f"user:{later.id}", login, quiet_pc())
    recheck = revoked(db, [other, viewer_session(live), session], sources, at=NOW)
    assert recheck.ended == [] and recheck.next_expiry == NOW + timedelta(minutes=5)


def test_a_publisher_whose_device_was_disabled_is_ended(db: Session, live: Live) -> None:
    session = publisher_session(live.place.device, live.place.camera.id)
    live.place.device.is_active = False
    db.commit()
    assert reasons(db, [session]) == ["the device was disabled"]


def test_a_publisher_whose_device_is_gone_is_ended(db: Session, live: Live) -> None:
    session = RtcSession(SessionKind.WHIP, live.place.camera.id, "device:999999", "x",
                         quiet_pc())
    assert reasons(db, [session]) == ["the device was disabled"]


def test_a_publisher_with_a_rotated_token_is_ended(db: Session, live: Live) -> None:
    session = publisher_session(live.place.device, live.place.camera.id)
    directory.rotate_device_token(db, ADMIN, live.place.device.id)
    db.commit()
    assert reasons(db, [session]) == ["the device's token was rotated"]


def test_a_publisher_whose_camera_moved_to_another_device_is_ended(db: Session,
                                                                   live: Live) -> None:
    session = publisher_session(live.place.device, live.place.camera.id)
    other, _token = directory.create_device(db, ADMIN, live.place.site.id, "spare box")
    db.get_one(Camera, live.place.camera.id).device_id = other.id
    db.commit()
    assert reasons(db, [session]) == [
        f"camera {live.place.camera.id} is now assigned to another device"]


# The guard: a real registry and the periodic loop, with the session factory of the test's
# own database file.

@pytest.fixture
def factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    with database(tmp_path) as db:
        place = build_place(db, "A")
        viewer = add_user(db, "operator", Role.ORG_OPERATOR, [place.site])
        log_in(db, viewer, "viewer", NOW + timedelta(hours=8))
        db.commit()
    engine = create_db_engine(f"sqlite:///{tmp_path / DATABASE_FILE}")
    yield create_session_factory(engine)
    engine.dispose()


@pytest.fixture
async def guarded(factory: sessionmaker[Session]
                  ) -> AsyncIterator[tuple[LiveAccessGuard, SessionRegistry]]:
    registry = SessionRegistry(setup_timeout_s=3600)
    guard = LiveAccessGuard(registry, factory, interval_s=3600)
    try:
        yield guard, registry
    finally:
        await guard.close()
        await registry.close_all()


def _session(factory: sessionmaker[Session], token: str) -> RtcSession:
    with factory() as db:
        camera = db.query(Camera).one()
        user = db.query(User).filter_by(username="operator").one()
        return RtcSession(SessionKind.WHEP, camera.id, f"user:{user.id}",
                          hash_session_token(token, KEY), quiet_pc())


async def test_the_guard_checks_a_new_session_without_being_woken(
        guarded: tuple[LiveAccessGuard, SessionRegistry],
        factory: sessionmaker[Session]) -> None:
    guard, registry = guarded
    kept, stranger = _session(factory, "viewer"), _session(factory, "not a login")
    registry.add(kept)
    registry.add(stranger)
    assert await wait_until(lambda: registry.get(stranger.id) is None, timeout=30)
    assert registry.get(kept.id) is kept
    assert await guard.check() == 0  # nothing left to end


async def test_waking_the_guard_ends_a_session_at_once_and_tells_the_watchers(
        guarded: tuple[LiveAccessGuard, SessionRegistry],
        factory: sessionmaker[Session]) -> None:
    guard, registry = guarded
    session = _session(factory, "viewer")
    registry.add(session)
    assert await guard.check() == 0
    with factory() as db:
        db.query(UserSession).delete()
        db.commit()
    with guard.access_changes() as changed:
        guard.wake()
        assert await wait_until(changed.is_set, timeout=10)
        assert await wait_until(lambda: registry.get(session.id) is None, timeout=30)


async def test_a_failed_check_does_not_stop_the_guard(
        guarded: tuple[LiveAccessGuard, SessionRegistry], factory: sessionmaker[Session],
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    guard, registry = guarded
    broken = True

    def flaky(*args: Any) -> Recheck:
        if broken:
            raise RuntimeError("database is locked")
        return revoked(*args)

    monkeypatch.setattr("proctor.auth.live_access.revoked", flaky)
    session = _session(factory, "not a login")
    registry.add(session)
    assert await wait_until(lambda: "checking live sessions' access failed" in caplog.text,
                            timeout=30)
    assert registry.get(session.id) is session
    broken = False
    guard.wake()
    assert await wait_until(lambda: registry.get(session.id) is None, timeout=30)
