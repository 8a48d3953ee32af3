"""The event sink on a real SQLite database and a real object store (SeaweedFS with Object
Lock): transitions become rows and live messages, snapshots are stored under retention in
the background, and open events carry on after a restart with the same id."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from minio import Minio
from sqlalchemy.orm import Session, sessionmaker

from proctor.db.migrate import upgrade_database
from proctor.db.models import Event
from proctor.db.session import create_db_engine, create_session_factory, session_scope
from proctor.events.hub import AlertHub, AlertSubscription
from proctor.events.log import EventLog
from proctor.events.messages import AlertMessage, CameraMessage, EventMessage
from proctor.events.sink import EventSink
from proctor.recording.retention import retain_until
from proctor.recording.store import ObjectStore
from proctor.vision.kinds import EventKind
from proctor.vision.transitions import (
    CameraStateChanged,
    CameraStatus,
    EventClosed,
    EventOpened,
    EventUpdated,
)
from proctor_dev.provision import provision_site
from proctor_dev.seaweed import EmbeddedSeaweedFS

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC).timestamp()
KIND = EventKind.PERSON_MISSING


@pytest.fixture(scope="module")
def store(seaweed: EmbeddedSeaweedFS) -> ObjectStore:
    client = Minio(seaweed.endpoint, seaweed.access_key, seaweed.secret_key, secure=False,
                   region="us-east-1")
    store = ObjectStore(client, "event-snapshots")
    store.ensure_bucket()
    return store


@pytest.fixture
def database(tmp_path: Path) -> Iterator[tuple[sessionmaker[Session], int]]:
    url = f"sqlite:///{tmp_path / 'proctor.db'}"
    upgrade_database(url)
    engine = create_db_engine(url)
    factory = create_session_factory(engine)
    with session_scope(factory) as db:
        camera = provision_site(db, "test", "Site", "Room 1", ["front"]).camera_ids[0]
    yield factory, camera
    engine.dispose()


def opened(camera: int, picture: np.ndarray | None) -> EventOpened:
    return EventOpened(camera, KIND, "", START, START + 5, {"count": 3, "expected": 4}, 1.0,
                       {"rule": KIND.value}, picture)


async def next_event(subscription: AlertSubscription) -> EventMessage:
    message: AlertMessage = await asyncio.wait_for(subscription.next_message(), 30)
    assert isinstance(message, EventMessage)
    return message


async def test_transitions_become_rows_messages_and_a_retained_snapshot(
        database: tuple[sessionmaker[Session], int], store: ObjectStore) -> None:
    factory, camera = database
    hub = AlertHub()
    console = hub.subscribe({camera})
    sink = EventSink(EventLog(factory, store, retention_years=5), hub)
    picture = np.random.default_rng(1).integers(0, 255, (120, 160, 3), dtype=np.uint8)

    await sink.emit(opened(camera, picture))
    first = await next_event(console)
    assert (first.action, first.at, first.event.kind, first.event.snapshot_url) == (
        "open", START + 5, KIND, None)
    event_id = first.event.id
    stored = await next_event(console)  # the snapshot, stored in the background
    assert (stored.action, stored.event.id) == ("update", event_id)
    assert stored.event.snapshot_url == f"/api/events/{event_id}/snapshot.jpg"
    with session_scope(factory) as db:
        row = db.get(Event, event_id)
        assert row is not None and row.snapshot_key and row.snapshot_version
        key, version = row.snapshot_key, row.snapshot_version
    assert store.read(key, version)[:2] == b"\xff\xd8"
    mode, until = store.retention(key, version)
    assert mode == "COMPLIANCE" and until >= retain_until(first.event.started_at, 5)

    await sink.emit(EventUpdated(camera, KIND, "", START, START + 9, {"count": 2}, 2.0))
    assert (await next_event(console)).event.peak == {"count": 2}
    await sink.emit(EventClosed(camera, KIND, "", START, START + 20))
    closed = await next_event(console)
    assert closed.action == "close" and closed.event.ended_at is not None
    assert closed.event.ended_at.timestamp() == START + 20
    await sink.close()


async def test_open_events_continue_after_a_restart_with_the_same_id(
        database: tuple[sessionmaker[Session], int]) -> None:
    factory, camera = database
    before = EventSink(EventLog(factory, None, retention_years=5), AlertHub())
    await before.emit(opened(camera, picture=None))
    await before.emit(EventUpdated(camera, KIND, "", START, START + 7, {"count": 1}, 3.0))

    hub = AlertHub()
    console = hub.subscribe({camera})
    after = EventSink(EventLog(factory, None, retention_years=5), hub)
    [restored] = await after.open_events()
    assert (restored.camera_id, restored.kind, restored.started_at, restored.peak,
            restored.severity) == (camera, KIND, START, {"count": 1}, 3.0)
    await after.emit(EventClosed(camera, KIND, "", START, START + 30))
    closed = await next_event(console)
    with session_scope(factory) as db:
        assert [row.id for row in db.query(Event)] == [closed.event.id]
    assert closed.event.ended_at is not None
    assert await after.open_events() == []
    # a close that finds no open event (closed by hand meanwhile) changes and sends nothing
    await after.emit(EventClosed(camera, KIND, "", START, START + 40))
    hub.publish(camera, CameraMessage.of(status(camera)))
    assert isinstance(await console.next_message(), CameraMessage)


def status(camera: int) -> CameraStatus:
    return CameraStatus(camera, True, 3, 4, False, "ok", None, "person-default", START)


async def test_camera_states_go_to_the_consoles_of_that_camera(
        database: tuple[sessionmaker[Session], int]) -> None:
    factory, camera = database
    hub = AlertHub()
    mine, other = hub.subscribe({camera}), hub.subscribe({camera + 1})
    sink = EventSink(EventLog(factory, None, retention_years=5), hub)
    await sink.emit(CameraStateChanged(status(camera)))
    message = await mine.next_message()
    assert isinstance(message, CameraMessage) and (message.people, message.expected) == (3, 4)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(other.next_message(), 0.2)
