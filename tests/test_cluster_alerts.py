"""Alerts across nodes on a real nats-server: each node's consoles get every node's messages,
on subjects carrying the camera's region path."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg

from proctor.cluster.alerts import ClusterAlertHub
from proctor.cluster.region_path import camera_region_path, region_tokens, subject_token
from proctor.db.migrate import upgrade_database
from proctor.db.session import create_db_engine, create_session_factory, session_scope
from proctor.events.messages import CameraMessage
from proctor_dev.nats import EmbeddedNats, nats_server
from proctor_dev.provision import provision_site

pytestmark = pytest.mark.slow  # starts nats-server

PATH = ("350000", "350200", "350203", "12", "34")


def _message(camera_id: int, people: int) -> CameraMessage:
    return CameraMessage(camera_id=camera_id, analysed=True, people=people, expected=2,
                         phone_detection=False, picture="ok", not_analysed_reason=None,
                         model="test", at=1.0)


def _collect(queue: asyncio.Queue[str]) -> Callable[[Msg], Awaitable[None]]:
    """A subscription callback putting each message's subject in ``queue``."""

    async def put(msg: Msg) -> None:
        await queue.put(msg.subject)

    return put


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedNats]:
    with nats_server(tmp_path / "nats") as running:
        yield running


@pytest.fixture
async def connections(server: EmbeddedNats) -> AsyncIterator[list[Client]]:
    made = [await nats.connect(server.url) for _ in range(3)]
    yield made
    for connection in made:
        await connection.close()


async def test_a_message_sent_on_one_node_reaches_consoles_on_every_node(
        connections: list[Client]) -> None:
    a, b = (ClusterAlertHub(c.jetstream(), name, lambda camera: (*PATH, str(camera)))
            for c, name in zip(connections, ("a", "b"), strict=False))
    await a.start()
    await b.start()
    province: asyncio.Queue[str] = asyncio.Queue()
    other_site: asyncio.Queue[str] = asyncio.Queue()

    await connections[2].subscribe("alerts.350000.>", cb=_collect(province))
    await connections[2].subscribe("alerts.*.*.*.99.>", cb=_collect(other_site))
    on_b, on_a = b.subscribe({5}), a.subscribe({5})
    elsewhere = b.subscribe({6})
    try:
        a.publish(5, _message(5, people=3))
        a.publish(5, _message(5, people=4))
        for console in (on_b, on_a):  # the sender's own consoles are fed from the stream too
            first = await asyncio.wait_for(console.next_message(), 30)
            second = await asyncio.wait_for(console.next_message(), 30)
            assert isinstance(first, CameraMessage) and isinstance(second, CameraMessage)
            assert (first.people, second.people) == (3, 4)  # in the order sent
        subject = await asyncio.wait_for(province.get(), 30)
        assert subject == "alerts.350000.350200.350203.12.34.5"
        assert other_site.empty() and elsewhere.overflowed is False
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(elsewhere.next_message(), 0.5)
    finally:
        await a.close()
        await b.close()


def test_subject_tokens_are_sanitised_and_regions_split() -> None:
    assert subject_token("a.b* >c") == "a_b___c"
    assert subject_token("") == "_"
    assert region_tokens("350203") == ("350000", "350200", "350203")
    assert region_tokens(None) == ("none", "none", "none")


def test_a_cameras_path_comes_from_its_room_and_site(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    upgrade_database(url)
    engine = create_db_engine(url)
    with session_scope(create_session_factory(engine)) as db:
        site = provision_site(db, "test", "Site", "Room", ["front"])
        camera = site.camera_ids[0]
        path = camera_region_path(db, camera)
        assert path[:3] == ("none", "none", "none")  # no organisation: no region
        assert path[3] == str(site.site_id) and path[5] == str(camera)
        assert camera_region_path(db, 10_000)[-1] == "10000"
    engine.dispose()
