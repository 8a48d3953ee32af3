"""Camera ownership leases against a real nats-server with JetStream (loopback)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TypeVar

import nats
import pytest
from nats.aio.client import Client
from nats.errors import Error as NatsError

from proctor.cluster.errors import ClusterBusy, OwnedElsewhere
from proctor.cluster.leases import CameraLeases
from proctor_dev.nats import EmbeddedNats, nats_cluster, nats_server

pytestmark = pytest.mark.slow  # starts nats-server; leases expire in real time
T = TypeVar("T")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedNats]:
    with nats_server(tmp_path / "nats") as running:
        yield running


class Nodes:
    """Nodes on one NATS, each with its own connection, as separate servers would be."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.connections: list[Client] = []
        self.lost: dict[str, list[int]] = {}

    async def node(self, name: str, capacity: int = 8, lease_s: float = 5.0) -> CameraLeases:
        connection = await nats.connect(self.url)
        self.connections.append(connection)
        lost = self.lost.setdefault(name, [])

        async def on_lost(camera_id: int) -> None:
            lost.append(camera_id)

        return await CameraLeases.open(connection, node_id=name,
                                       node_url=f"http://{name}.test:8000", capacity=capacity,
                                       lease_s=lease_s, on_lost=on_lost)


@pytest.fixture
async def nodes(server: EmbeddedNats) -> AsyncIterator[Nodes]:
    made = Nodes(server.url)
    yield made
    for connection in made.connections:
        with contextlib.suppress(ConnectionError):  # a test may have stopped the server
            await connection.close()


async def poll(check: Callable[[], Awaitable[bool]], timeout: float) -> bool:
    """Await ``check`` until it is true or ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


async def test_a_claimed_camera_sends_others_to_its_owner(nodes: Nodes) -> None:
    a, b = await nodes.node("a"), await nodes.node("b")
    await a.place(1, "/whip/1")
    assert a.holds(1) and a.cameras == 1
    with pytest.raises(OwnedElsewhere) as redirected:
        await b.place(1, "/whip/1?x=1")
    assert redirected.value.location == "http://a.test:8000/whip/1?x=1"
    assert not b.holds(1)
    with pytest.raises(OwnedElsewhere) as viewer:
        await b.redirect_viewer(1, "/whep/1")
    assert viewer.value.location == "http://a.test:8000/whep/1"
    await a.redirect_viewer(1, "/whep/1")  # the owner serves its viewers
    await b.redirect_viewer(2, "/whep/2")  # nobody publishes camera 2: served where asked
    await a.place(1, "/whip/1")  # a publisher replacing the camera's own on the owner
    assert a.cameras == 1


async def test_racing_claims_give_each_camera_one_owner(nodes: Nodes) -> None:
    a, b = await nodes.node("a", capacity=50), await nodes.node("b", capacity=50)

    async def claim(node: CameraLeases, camera_id: int) -> str:
        try:
            await node.place(camera_id, f"/whip/{camera_id}")
            return node.node_id
        except OwnedElsewhere as error:
            return error.location

    for camera_id in range(1, 21):
        results = await asyncio.gather(claim(a, camera_id), claim(b, camera_id))
        assert a.holds(camera_id) != b.holds(camera_id), results
        owner = (await a.owner(camera_id))
        assert owner is not None and owner.node_id in results


async def test_an_unowned_camera_goes_to_the_least_loaded_node(nodes: Nodes) -> None:
    a, b = await nodes.node("a"), await nodes.node("b")
    await a.place(1, "/whip/1")
    await a.place(2, "/whip/2")  # one fewer elsewhere is not worth a redirect
    with pytest.raises(OwnedElsewhere) as redirected:
        await a.place(3, "/whip/3")
    assert redirected.value.location == "http://b.test:8000/whip/3"
    await b.place(3, "/whip/3")
    assert b.holds(3) and [n.cameras for n in sorted(await a.nodes(), key=lambda n: n.node_id)] \
        == [2, 1]


async def test_a_full_node_redirects_and_a_full_cluster_refuses(nodes: Nodes) -> None:
    a, b = await nodes.node("a", capacity=1), await nodes.node("b", capacity=1)
    await a.place(1, "/whip/1")
    with pytest.raises(OwnedElsewhere) as redirected:
        await a.place(2, "/whip/2")
    assert redirected.value.location.startswith("http://b.test")
    await b.place(2, "/whip/2")
    with pytest.raises(ClusterBusy) as busy:
        await a.place(3, "/whip/3")
    assert busy.value.retry_after_s == 5 and "every node is full" in str(busy.value)
    await a.release(1)  # the publisher left: the camera and the room are free at once
    await a.place(3, "/whip/3")
    assert a.holds(3) and not a.holds(1) and await a.owner(1) is None


async def test_a_dead_nodes_leases_expire_and_a_live_nodes_are_renewed(nodes: Nodes) -> None:
    dead, live = await nodes.node("dead", lease_s=1.5), await nodes.node("live", lease_s=1.5)
    other = await nodes.node("other", lease_s=1.5)
    await dead.place(1, "/whip/1")  # never renewed: the node died
    await live.place(2, "/whip/2")
    live.start()
    try:
        started = time.monotonic()

        async def other_took_1() -> bool:
            try:
                await other.place(1, "/whip/1")
            except OwnedElsewhere:
                return False
            return True

        assert await poll(other_took_1, timeout=30)
        moved_after = time.monotonic() - started
        assert 1.0 < moved_after < 30, moved_after
        owner = await other.owner(2)  # renewed every 0.5 s, held across several TTLs
        assert owner is not None and owner.node_id == "live"
        assert time.monotonic() - started > 1.5
    finally:
        await live.close()
    assert await other.owner(2) is None  # a clean stop hands its cameras over at once
    assert "live" not in {n.node_id for n in await other.nodes()}


async def test_a_lease_taken_while_away_ends_the_publisher_here(nodes: Nodes) -> None:
    away, other = await nodes.node("away", lease_s=1.0), await nodes.node("other", lease_s=1.0)
    await away.place(4, "/whip/4")

    async def other_took_4() -> bool:
        try:
            await other.place(4, "/whip/4")
        except OwnedElsewhere:
            return False
        return True

    assert await poll(other_took_4, timeout=30)
    await away.renew()  # back: its renewal finds the camera moved on
    assert nodes.lost["away"] == [4] and not away.holds(4)
    owner = await away.owner(4)
    assert owner is not None and owner.node_id == "other"


async def test_releases_racing_a_renewal_stay_released(nodes: Nodes) -> None:
    a = await nodes.node("a", capacity=20)
    cameras = range(1, 11)
    for camera_id in cameras:
        await a.place(camera_id, f"/whip/{camera_id}")
    await asyncio.gather(a.renew(), *(a.release(camera_id) for camera_id in cameras))
    assert [await a.owner(camera_id) for camera_id in cameras] == [None] * 10
    assert nodes.lost["a"] == [] and a.cameras == 0  # nothing taken for lost either


async def _retrying(attempt: Callable[[], Awaitable[T]], timeout: float) -> T:
    """``attempt()``'s result once it stops raising NATS errors (a cluster electing leaders)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await attempt()
        except (NatsError, ClusterBusy):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


async def test_leases_survive_one_of_three_nats_servers(tmp_path: Path) -> None:
    with nats_cluster(tmp_path / "nats") as servers:
        urls = [server.url for server in servers]
        connection = await _retrying(lambda: nats.connect(urls), 60)
        try:
            async def on_lost(camera_id: int) -> None:
                raise AssertionError(f"lease of camera {camera_id} lost")

            a = await _retrying(lambda: CameraLeases.open(
                connection, node_id="a", node_url="http://a.test", capacity=8, lease_s=5,
                on_lost=on_lost, replicas=3), 120)
            await _retrying(lambda: a.place(1, "/whip/1"), 60)
            connected = connection.connected_url
            victim = next(s for s in servers if connected and str(s.port) == str(connected.port))
            victim.kill()  # the server this node talks to, and perhaps the buckets' leader
            await _retrying(lambda: a.place(2, "/whip/2"), 90)
            await _retrying(a.renew, 90)
            for camera_id in (1, 2):
                owner = await _retrying(partial(a.owner, camera_id), 60)
                assert owner is not None and owner.node_id == "a"
        finally:
            await connection.close()


async def test_without_nats_a_claim_is_refused_with_retry_after(
        server: EmbeddedNats, nodes: Nodes) -> None:
    a = await nodes.node("a", lease_s=2.0)
    await a.place(1, "/whip/1")
    server.stop()
    with pytest.raises(ClusterBusy) as busy:  # 503 with Retry-After, never a 500
        await a.place(2, "/whip/2")
    assert busy.value.retry_after_s == 2 and "NATS" in str(busy.value)
    await a.release(1)  # the publisher left while NATS is away: the lease just expires
    assert not a.holds(1)
