"""Faults under two real server nodes on NATS JetStream: one NATS server of three SIGKILLed
(leases keep renewing, alerts keep flowing to a console on the other node), and a server node
restarted (its console, reconnecting with the last ``seq`` it saw, gets what it missed)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
import websockets
from support.cluster import TwoNodes, observe_people, two_nodes
from support.stack import sdp_offer
from support.wait import wait_until

from proctor.cluster.leases import LEASES_BUCKET
from proctor.events.hub import AlertHub

pytestmark = pytest.mark.slow  # nats-server, PostgreSQL and two servers

LEASE_S = 3
# a publisher that never connects keeps its session (and so its lease) for the test
ENV = {"PROCTOR_CAMERA_LEASE_S": str(LEASE_S), "PROCTOR_WEBRTC_SETUP_TIMEOUT_S": "600"}
# the default lease: a JetStream leader election (a few seconds) must fit inside one
KILL_LEASE_S = 10
TIMEOUT = httpx.Timeout(60.0)
CAMERA = 1


@contextlib.asynccontextmanager
async def _console(url: str, token: str, after: int | None = None
                   ) -> AsyncIterator[list[dict[str, Any]]]:
    """A console's alert WebSocket at ``url``; the list fills with its messages."""
    query = "" if after is None else f"?after={after}"
    received: list[dict[str, Any]] = []
    ws = url.replace("http://", "ws://") + "/api/live/alerts" + query
    async with websockets.connect(ws, additional_headers={"Authorization": f"Bearer {token}"}
                                  ) as socket:
        async def read() -> None:
            async for text in socket:
                received.append(json.loads(text))

        reader = asyncio.create_task(read())
        try:
            yield received
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, websockets.ConnectionClosed):
                await reader


def _counts(received: list[dict[str, Any]]) -> list[int]:
    """The head counts of camera 1 the console was sent, in order."""
    return [m["people"] for m in received if m["type"] == "camera" and m["camera_id"] == CAMERA]


async def _sees(nodes: TwoNodes, received: list[dict[str, Any]], people: int) -> bool:
    """Report ``people`` until the console shows it (a sample may be smoothed away)."""
    async def shown() -> bool:
        if people in _counts(received):
            return True
        await asyncio.to_thread(observe_people, nodes.a, CAMERA, 0)  # a change each time
        await asyncio.to_thread(observe_people, nodes.a, CAMERA, people)
        return False

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while not await shown():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.5)
    return True


async def _whip(url: str, token: str, offer: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=TIMEOUT) as http:
        return await http.post(url, content=offer, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/sdp"})


async def _stream_leader(servers: list[str], stream: str) -> str:
    """The name of the NATS server leading ``stream``."""
    connection = await nats.connect(servers)
    try:
        info = await connection.jetstream().stream_info(stream)
        assert info.cluster is not None and info.cluster.leader is not None
        return info.cluster.leader
    finally:
        await connection.close()


@pytest.mark.timeout(300)
async def test_a_nats_server_killed_leases_renew_and_alerts_flow(tmp_path: Path) -> None:
    offer = await sdp_offer("sendonly")
    env = {**ENV, "PROCTOR_CAMERA_LEASE_S": str(KILL_LEASE_S)}
    with two_nodes(tmp_path, env, start=False, nats_cluster_size=3) as nodes:
        a, b = nodes.a, nodes.b
        assert a.site_a is not None
        a.analysis = True  # camera 1's observations are analysed on node a
        a.start_server()
        b.start_server()
        held = await _whip(f"{a.url}/whip/{CAMERA}", a.site_a.device_token, offer)
        assert held.status_code == 201, held.text  # node a owns camera 1

        async with _console(b.url, b.login("sup_a")) as received:
            assert await _sees(nodes, received, 2)
            leader = await _stream_leader([s.url for s in nodes.nats_servers],
                                          f"KV_{LEASES_BUCKET}")  # the leases' leader
            victim = next(s for s in nodes.nats_servers if s.name == leader)
            victim.kill()
            killed_at = time.monotonic()

            assert await _sees(nodes, received, 3)  # alerts continue: a new stream leader
            assert await _sees(nodes, received, 5)
            owners = []  # never b (a lease lost); a 503 while JetStream elects a leader
            while time.monotonic() < killed_at + 2 * KILL_LEASE_S:  # leases outlive 2 TTLs
                redirect = await _whip(f"{b.url}/whip/{CAMERA}", a.site_a.device_token, offer)
                owners.append((redirect.status_code, redirect.headers.get("location")
                               or redirect.headers.get("retry-after")))
                await asyncio.sleep(0.5)
        owned_by_a = (307, f"{a.url}/whip/{CAMERA}")
        assert set(owners) <= {owned_by_a, (503, str(KILL_LEASE_S))}, owners
        assert owners[-1] == owned_by_a and owners.count(owned_by_a) > len(owners) // 2
        assert received[0]["type"] == "hello"
        print(f"killed {leader}; ownership checks over {2 * KILL_LEASE_S} s: "
              f"{owners.count(owned_by_a)} x 307 to a, {len(owners) - owners.count(owned_by_a)}"
              " x 503")


@pytest.mark.timeout(300)
async def test_alerts_missed_during_a_node_restart_are_replayed(tmp_path: Path) -> None:
    with two_nodes(tmp_path, ENV, start=False) as nodes:
        a, b = nodes.a, nodes.b
        a.analysis = True
        a.start_server()
        b.start_server()
        token = b.login("sup_a")
        async with _console(a.url, a.login("sup_a")) as on_a:  # what the stream carried
            async with _console(b.url, token) as before:
                assert await _sees(nodes, before, 2), before
            last_seen = max(m["seq"] for m in before if "seq" in m)

            b.stop_server()  # the console's node restarts; node a keeps analysing
            assert await _sees(nodes, on_a, 5) and await _sees(nodes, on_a, 8)
            b.start_server()
            missed = [m for m in on_a if m.get("seq", 0) > last_seen]

            async with _console(b.url, token, after=last_seen) as after:
                assert await wait_until(lambda: len(after) > len(missed), 60), after
                assert await _sees(nodes, after, 9)  # then live ones, without duplicates
        assert after[0]["type"] == "hello"
        assert after[1:len(missed) + 1] == missed  # each missed message, in order
        seqs = [m["seq"] for m in after[1:]]
        assert seqs == sorted(set(seqs)) and seqs[0] == last_seen + 1, seqs
        print(f"{len(missed)} messages missed during the restart, all replayed")

        async with _console(b.url, token) as fresh:  # no 'after': the picture only, as before
            assert await _sees(nodes, fresh, 10)
        assert not set(_counts(fresh)) & {5, 8}


async def test_one_node_keeps_no_history_to_replay() -> None:
    hub = AlertHub()
    assert await hub.replay({CAMERA}, 0) == []
