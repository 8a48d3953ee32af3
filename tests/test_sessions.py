"""The live session registry, with real aiortc peer connections: lookup by kind and camera,
idempotent close that runs every callback (even after one fails), and automatic teardown of
sessions that fail, close, or never connect."""

from __future__ import annotations

import logging

import pytest
from aiortc import RTCPeerConnection
from support.wait import wait_until

from proctor.media.sessions import RtcSession, SessionKind, SessionRegistry
from proctor.rtc.ice import build_rtc_configuration


def session(kind: SessionKind, camera_id: int, owner: str = "user:1") -> RtcSession:
    return RtcSession(kind, camera_id, owner, "credential-hash",
                      RTCPeerConnection(build_rtc_configuration([])))


async def test_lookup_by_id_kind_and_camera() -> None:
    registry = SessionRegistry()
    viewers = [session(SessionKind.WHEP, 1), session(SessionKind.WHEP, 1),
               session(SessionKind.WHEP, 2)]
    publisher = session(SessionKind.WHIP, 1, owner="device:4")
    for item in (*viewers, publisher):
        registry.add(item)
    assert registry.get(publisher.id) is publisher and registry.get("nope") is None
    assert registry.find(SessionKind.WHEP, 1) == viewers[:2]
    assert registry.find(SessionKind.WHIP, 1) == [publisher]
    assert registry.find(SessionKind.WHIP, 2) == []
    assert (registry.count(SessionKind.WHEP), registry.count(SessionKind.WHIP)) == (3, 1)
    assert set(registry.all()) == {*viewers, publisher}
    await registry.close_all()
    assert registry.all() == [] and registry.count(SessionKind.WHEP) == 0


def test_ids_are_unguessable_and_paths_name_the_protocol() -> None:
    sessions = [session(SessionKind.WHIP, 9) for _ in range(20)]
    assert len({s.id for s in sessions}) == 20 and all(len(s.id) >= 20 for s in sessions)
    assert sessions[0].resource_path == f"/whip/9/sessions/{sessions[0].id}"
    assert session(SessionKind.WHEP, 3).resource_path.startswith("/whep/3/sessions/")


async def test_close_runs_every_callback_once_even_if_one_fails(
        caplog: pytest.LogCaptureFixture) -> None:
    registry = SessionRegistry()
    item = session(SessionKind.WHEP, 1)
    calls: list[str] = []

    async def failing() -> None:
        calls.append("failing")
        raise RuntimeError("encoder already gone")

    async def release() -> None:
        calls.append("release")

    item.on_close += [failing, release]
    registry.add(item)
    assert await registry.close(item.id) is True
    assert await registry.close(item.id) is False  # idempotent
    assert calls == ["failing", "release"]
    assert item.pc.connectionState == "closed"
    assert "session close callback failed" in caplog.text


async def test_a_connection_closed_elsewhere_leaves_the_registry() -> None:
    registry = SessionRegistry()
    item = session(SessionKind.WHIP, 5)
    closed: list[bool] = []

    async def note() -> None:
        closed.append(True)

    item.on_close.append(note)
    registry.add(item)
    await item.pc.close()  # the peer went away: aiortc reports "closed"
    assert await wait_until(lambda: registry.get(item.id) is None, 5)
    assert closed == [True]


async def test_a_session_that_never_connects_is_closed_after_the_setup_timeout(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    registry = SessionRegistry(setup_timeout_s=0.05)
    item = session(SessionKind.WHEP, 7)
    registry.add(item)
    assert await wait_until(lambda: registry.get(item.id) is None, 5)
    assert "did not connect within" in caplog.text

