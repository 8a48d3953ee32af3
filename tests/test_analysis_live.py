"""Live analysis in a real server with a real detector process, fed by a real edge agent:
alerts reach only allowed users, a detector crash costs analysis but not video, and open
events survive a server restart."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from support.stack import Stack
from support.wait import wait_until

# The limit from confirmation to the console is 2 s, met on a quiet machine (the
# analyze bench measures the lag: p95 0.8 s at 8 cameras). At load 12 on 2 cores it took
# 3.5 s, so the test allows for a busy machine: it checks the alert arrives promptly and
# only to the right users; the bench says how promptly.
CONFIRM_TO_PUSH_S = 8.0


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def ws_url(stack: Stack) -> str:
    return stack.url.replace("http://", "ws://") + "/api/live/alerts"


def set_expected(stack: Stack, admin: str, camera: int, expected: int | None) -> None:
    httpx.put(f"{stack.url}/api/cameras/{camera}/scene", headers=bearer(admin),
              json={"expected_headcount": expected}).raise_for_status()


def analysis(stack: Stack, token: str, camera: int) -> dict[str, Any] | None:
    cameras = httpx.get(f"{stack.url}/api/cameras", headers=bearer(token)).json()
    return next(c for c in cameras if c["id"] == camera)["analysis"]  # type: ignore[no-any-return]


def events(stack: Stack, token: str, **query: Any) -> list[dict[str, Any]]:
    response = httpx.get(f"{stack.url}/api/events", headers=bearer(token), params=query)
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


def metric(stack: Stack, admin: str, name: str) -> float:
    text = httpx.get(f"{stack.url}/metrics", headers=bearer(admin)).text
    match = re.search(rf"^{name} ([0-9.e+]+)$", text, re.MULTILINE)
    assert match, f"{name} not in /metrics"
    return float(match.group(1))


async def collect(url: str, token: str, seconds: float,
                  until: Any = None) -> list[tuple[float, dict[str, Any]]]:
    """Messages (with arrival time) for ``seconds`` or until ``until(message)`` is true."""
    received: list[tuple[float, dict[str, Any]]] = []
    async with websockets.connect(url, additional_headers=bearer(token)) as socket:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                raw = await asyncio.wait_for(socket.recv(), left)
            except TimeoutError:
                break
            message = json.loads(raw)
            received.append((time.time(), message))
            if until is not None and until(message):
                break
    return received


async def closed_after_logout(stack: Stack, token: str) -> websockets.frames.Close:
    """Log out while the stream runs (with the analysis sending camera states): the server
    must notice at its next session check (``RECHECK_S`` = 30 s) and close the stream."""
    async with websockets.connect(ws_url(stack), additional_headers=bearer(token)) as socket:
        assert json.loads(await socket.recv())["type"] == "hello"
        async with httpx.AsyncClient() as client:
            (await client.post(f"{stack.url}/api/auth/logout",
                               headers=bearer(token))).raise_for_status()
        with pytest.raises(websockets.ConnectionClosed) as closed:
            async with asyncio.timeout(45):
                while True:
                    await socket.recv()
        assert closed.value.rcvd is not None
        return closed.value.rcvd


def is_open(kind: str, camera: int):  # type: ignore[no-untyped-def]
    return lambda m: (m["type"] == "event" and m["action"] == "open"
                      and m["event"]["kind"] == kind and m["event"]["camera_id"] == camera)


@pytest.mark.timeout(240)
async def test_alerts_reach_users_allowed_to_watch_the_camera_and_no_one_else(
        analysis_stack: Stack, h264_footage: Path) -> None:
    stack = analysis_stack
    camera = stack.site_a.camera_ids[0]
    admin = stack.login("admin")
    set_expected(stack, admin, camera, 40)  # the footage shows far fewer people
    stack.start_agent({camera: h264_footage.as_uri()})

    allowed, other, logged_out = await asyncio.gather(
        collect(ws_url(stack), stack.login("sup_a"), 90, until=is_open("person_missing", camera)),
        collect(ws_url(stack), stack.login("sup_b"), 40),
        closed_after_logout(stack, stack.login("sup_a")))

    hello = allowed[0][1]
    assert hello["type"] == "hello" and hello["analysis"] is True
    counts = [m for _, m in allowed if m["type"] == "camera" and m["camera_id"] == camera]
    assert counts and counts[-1]["expected"] == 40 and counts[-1]["analysed"] is True
    assert isinstance(counts[-1]["people"], int) and counts[-1]["people"] < 40
    arrived, opened = allowed[-1]
    assert is_open("person_missing", camera)(opened)
    assert arrived - opened["at"] < CONFIRM_TO_PUSH_S
    event = opened["event"]
    assert event["peak"]["expected"] == 40 and event["peak"]["count"] < 40
    assert event["explanation"]["model"]["sha256"] and event["explanation"]["timing"]["hold_s"] == 5
    # the snapshot is stored in the background (a slow store never delays the alert)
    def stored_snapshot() -> str | None:
        return httpx.get(f"{stack.url}/api/events/{event['id']}",  # type: ignore[no-any-return]
                         headers=bearer(admin)).json()["snapshot_url"]

    assert await wait_until(stored_snapshot, timeout=15)
    snapshot = httpx.get(f"{stack.url}{stored_snapshot()}", headers=bearer(admin))
    # the recording around the onset, once its segments are uploaded (every ~10 s)
    assert await wait_until(lambda: httpx.get(f"{stack.url}{event['clip_url']}",
                                              headers=bearer(admin)).status_code == 200,
                            timeout=45, interval=2)
    clip = httpx.get(f"{stack.url}{event['clip_url']}", headers=bearer(admin))
    assert clip.headers["content-type"] == "video/mp4" and len(clip.content) > 10_000
    assert snapshot.headers["content-type"] == "image/jpeg" and snapshot.content[:2] == b"\xff\xd8"

    listed = events(stack, admin, since="2000-01-01T00:00:00")  # no offset: taken as UTC
    assert event["id"] in [e["id"] for e in listed]
    assert events(stack, admin, since="2999-01-01T00:00:00+08:00") == []

    assert logged_out.code == 1008 and "log in again" in logged_out.reason

    assert other[0][1] == {"type": "hello", "analysis": True, "cameras": [], "events": []}
    assert [m for _, m in other[1:] if m.get("camera_id") == camera
            or m.get("event", {}).get("camera_id") == camera] == []
    assert events(stack, stack.login("sup_b")) == []  # nor over REST
    forbidden = httpx.get(f"{stack.url}/api/events/{event['id']}",
                          headers=bearer(stack.login("sup_b")))
    assert forbidden.status_code == 404


async def test_alerts_socket_refuses_strangers_and_foreign_pages(stack: Stack) -> None:
    token = stack.login("sup_a")
    for headers in ({}, {"Authorization": "Bearer pst_not-a-session"},
                    {"Cookie": f"proctor_session={token}", "Origin": "http://evil.example"}):
        async with websockets.connect(ws_url(stack), additional_headers=headers) as socket:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await socket.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    # the console's own page, with its cookie, is let in
    origin = {"Cookie": f"proctor_session={token}", "Origin": stack.url}
    async with websockets.connect(ws_url(stack), additional_headers=origin) as socket:
        assert json.loads(await socket.recv())["type"] == "hello"


@pytest.mark.timeout(240)
async def test_detector_crash_costs_analysis_not_video(analysis_stack: Stack,
                                                      h264_footage: Path) -> None:
    stack = analysis_stack
    stack.stop_server()  # restart with a short back-off so the test sees the recovery
    stack.server_env["PROCTOR_ANALYSIS_RESTART_AFTER_S"] = "3"
    # one detector process, so killing it stops analysis (with several, the others go on
    # answering: tests/test_detector_pool.py)
    stack.server_env["PROCTOR_ANALYSIS_DETECTOR_PROCESSES"] = "1"
    stack.start_server()
    camera = stack.site_a.camera_ids[0]
    admin = stack.login("admin")
    stack.start_agent({camera: h264_footage.as_uri()})
    assert await wait_until(lambda: (analysis(stack, admin, camera) or {}).get("analysed"), 90)
    pid = int(metric(stack, admin, "proctor_detector_pid"))
    assert pid > 0 and pid != stack.server.pid

    os.kill(pid, signal.SIGKILL)
    assert await wait_until(lambda: (analysis(stack, admin, camera) or {}).get("analysed")
                            is False, 15)
    state = analysis(stack, admin, camera)
    assert state is not None and "detector" in state["not_analysed_reason"]
    frames_before = stack.camera_status(admin, camera)
    assert await wait_until(lambda: events(stack, admin, kind="not_analysed", open=True), 10)
    # video goes on while analysis is down
    assert await wait_until(lambda: (live := stack.camera_status(admin, camera))["online"]
                            and live["fps"] > 5, 10)
    assert frames_before["online"]

    # the analyzer restarts the detector and the not-analysed event closes
    assert await wait_until(lambda: (analysis(stack, admin, camera) or {}).get("analysed"), 60)
    new_pid = int(metric(stack, admin, "proctor_detector_pid"))
    assert new_pid not in (0, pid)
    assert await wait_until(lambda: not events(stack, admin, kind="not_analysed", open=True), 10)
    closed = events(stack, admin, kind="not_analysed")
    assert len(closed) == 1 and closed[0]["ended_at"] is not None
    assert "died" in closed[0]["explanation"]["reason"]


@pytest.mark.timeout(300)
async def test_open_events_survive_a_server_restart(analysis_stack: Stack,
                                                   h264_footage: Path) -> None:
    stack = analysis_stack
    camera = stack.site_a.camera_ids[0]
    admin = stack.login("admin")
    set_expected(stack, admin, camera, 40)
    stack.start_agent({camera: h264_footage.as_uri()})
    assert await wait_until(lambda: events(stack, admin, kind="person_missing", open=True), 90)
    before = events(stack, admin, kind="person_missing", open=True)[0]

    stack.stop_server()
    stack.start_server()  # the agent reconnects by itself
    admin = stack.login("admin")
    assert await wait_until(lambda: (analysis(stack, admin, camera) or {}).get("analysed"), 90)
    # the condition still holds over several more analysed samples: the same event carries on
    analysed = metric(stack, admin, "proctor_analysis_analysed_total")
    assert await wait_until(
        lambda: metric(stack, admin, "proctor_analysis_analysed_total") >= analysed + 5, 30)
    after = events(stack, admin, kind="person_missing")
    assert [e["id"] for e in after] == [before["id"]]
    assert after[0]["ended_at"] is None and after[0]["started_at"] == before["started_at"]

    set_expected(stack, admin, camera, None)  # the condition ends: the restored event closes
    assert await wait_until(lambda: events(stack, admin, kind="person_missing")[0]["ended_at"],
                            20)
