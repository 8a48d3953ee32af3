"""Two real server nodes on one PostgreSQL and one nats-server: WHIP and WHEP go to the
camera's owner (307), a full cluster answers 503, and agents follow the redirect."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from support.cluster import two_nodes
from support.stack import sdp_offer
from support.wait import wait_until

pytestmark = pytest.mark.slow

# offers from a peer that never connects: keep their sessions (and leases) for the test
ENV = {"PROCTOR_MAX_CAMERAS": "1", "PROCTOR_WEBRTC_SETUP_TIMEOUT_S": "600",
       "PROCTOR_CAMERA_LEASE_S": "3"}
TIMEOUT = httpx.Timeout(120.0)


async def _post(url: str, token: str, offer: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=TIMEOUT) as http:
        return await http.post(url, content=offer, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/sdp"})


async def test_whip_and_whep_go_to_the_owner_and_a_full_cluster_refuses(
        tmp_path: Path) -> None:
    publish, watch = await sdp_offer("sendonly"), await sdp_offer("recvonly", True)
    with two_nodes(tmp_path, ENV) as nodes:
        a, b = nodes.a, nodes.b
        assert a.site_a is not None and a.site_b is not None
        device_a, device_b = a.site_a.device_token, a.site_b.device_token

        claimed = await _post(f"{a.url}/whip/1", device_a, publish)
        assert claimed.status_code == 201, claimed.text
        elsewhere = await _post(f"{b.url}/whip/1?probe=1", device_a, publish)
        assert elsewhere.status_code == 307, elsewhere.text
        assert elsewhere.headers["location"] == f"{a.url}/whip/1?probe=1"
        assert "served by node a" in elsewhere.json()["detail"]

        a_full = await _post(f"{a.url}/whip/2", device_a, publish)  # a holds its 1 camera
        assert a_full.status_code == 307 and a_full.headers["location"] == f"{b.url}/whip/2"
        taken = await _post(a_full.headers["location"], device_a, publish)
        assert taken.status_code == 201, taken.text

        refused = await _post(f"{a.url}/whip/3", device_b, publish)  # both full
        assert refused.status_code == 503 and refused.headers["retry-after"] == "3"
        assert "every node is full" in refused.json()["detail"]

        viewer = await _post(f"{b.url}/whep/1", b.login("sup_a"), watch)
        assert viewer.status_code == 307 and viewer.headers["location"] == f"{a.url}/whep/1"

        stranger = await _post(f"{b.url}/whip/1", device_b, publish)  # not its camera
        assert stranger.status_code in (403, 404)  # refused before ownership is told

        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            ended = await http.delete(f"{a.url}{claimed.headers['location']}",
                                      headers={"Authorization": f"Bearer {device_a}"})
        assert ended.status_code == 200
        freed = await _post(f"{a.url}/whip/3", device_b, publish)  # a's camera was released
        assert freed.status_code == 201, freed.text


async def test_an_agent_follows_the_redirect_to_the_owner(tmp_path: Path,
                                                          h264_footage: Path) -> None:
    with two_nodes(tmp_path, {"PROCTOR_CAMERA_LEASE_S": "3"}) as nodes:
        a, b = nodes.a, nodes.b
        assert a.site_a is not None
        held = await _post(f"{a.url}/whip/1", a.site_a.device_token, await sdp_offer("sendonly"))
        assert held.status_code == 201, held.text  # node a owns camera 1
        b.start_agent({1: h264_footage.as_uri()})  # the agent knows only node b
        admin = a.login("admin")
        assert await wait_until(lambda: a.camera_status(admin, 1)["online"], 120)
        assert not b.camera_status(admin, 1)["online"]


async def _alerts_until(url: str, token: str, done: Callable[[dict[str, Any]], bool],
                        seconds: float) -> list[dict[str, Any]]:
    """The alert stream's messages at ``url`` until ``done(message)`` or ``seconds``."""
    received: list[dict[str, Any]] = []
    ws = url.replace("http://", "ws://") + "/api/live/alerts"
    async with websockets.connect(ws, additional_headers={"Authorization": f"Bearer {token}"}) \
            as socket, asyncio.timeout(seconds):
        while not (received and done(received[-1])):
            received.append(json.loads(await socket.recv()))
    return received


@pytest.mark.timeout(400)
async def test_a_console_on_one_node_gets_alerts_of_a_camera_analysed_on_the_other(
        tmp_path: Path, h264_footage: Path) -> None:
    with two_nodes(tmp_path, {"PROCTOR_CAMERA_LEASE_S": "3"}, start=False) as nodes:
        a, b = nodes.a, nodes.b
        assert a.site_a is not None
        a.analysis = True  # only node a runs the detector
        a.start_server()
        b.start_server()
        httpx.put(f"{a.url}/api/cameras/1/scene", timeout=TIMEOUT,
                  headers={"Authorization": f"Bearer {a.login('admin')}"},
                  json={"expected_headcount": 40}).raise_for_status()  # far more than shown
        a.start_agent({1: h264_footage.as_uri()})

        def opened(message: dict[str, Any]) -> bool:
            return (message["type"] == "event" and message["action"] == "open"
                    and message["event"]["camera_id"] == 1
                    and message["event"]["kind"] == "person_missing")

        on_b = await _alerts_until(b.url, b.login("sup_a"), opened, 300)
        assert on_b[0]["type"] == "hello"
        counts = [m for m in on_b if m["type"] == "camera" and m["camera_id"] == 1]
        assert counts and counts[-1]["analysed"] is True and counts[-1]["expected"] == 40
        owner = await _post(f"{b.url}/whip/1", a.site_a.device_token,
                            await sdp_offer("sendonly"))
        assert owner.headers["location"].startswith(a.url)  # analysed where it is published
