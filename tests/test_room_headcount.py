"""Two cameras in one room share the roster's headcount instead of each expecting it all:
the pure plan, then the real roster (SQLite), scene store and monitors fed with samples."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import Session, sessionmaker
from support.batches import World, at, build_world, database, planned_batch
from support.statements import counted_statements

from proctor.db.models import Camera
from proctor.scenes.records import save_settings
from proctor.scenes.store import DbSceneStore
from proctor.supervision.headcount import RoomRoster, RosterHeadcount, room_roster, room_rosters
from proctor.supervision.states import BatchState
from proctor.vision.detector import Detection
from proctor.vision.kinds import EventKind
from proctor.vision.monitor import Sample
from proctor.vision.monitors import Monitors
from proctor.vision.room_headcount import CameraHeadcount, plan_headcounts
from proctor.vision.rules import AnalysisRules
from proctor.vision.scene import SceneSettings, Zone
from proctor.vision.tamper import TamperThresholds

INSIDE = at("2026-03-02 10:00")
PICTURE = np.random.default_rng(7).integers(40, 200, (240, 320), dtype=np.uint8)
SQUARE = [(0.0, 0.0), (0.5, 0.0), (0.5, 0.5)]


def zones(n: int) -> list[Zone]:
    return [Zone(name=f"A{i}", polygon=SQUARE) for i in range(1, n + 1)]


def test_one_camera_expects_the_room_several_share_it() -> None:
    room = RoomRoster(people=30, cameras=(1, 2, 3))
    plain = SceneSettings(expected_headcount=99)  # a manual value the roster replaces
    assert plan_headcounts({1: RoomRoster(30, (1,))}, {1: plain}) == {1: CameraHeadcount(30)}
    assert plan_headcounts({1: room, 2: room, 3: room}, {1: plain, 2: plain, 3: plain}) == {
        1: CameraHeadcount(30, (2, 3)), 2: CameraHeadcount(None), 3: CameraHeadcount(None)}
    seated = SceneSettings(seat_zones=zones(12), invigilator_zone=zones(1)[0])
    assert plan_headcounts({1: room, 2: room}, {1: seated, 2: plain}) == {
        1: CameraHeadcount(13), 2: CameraHeadcount(30, ())}
    assert plan_headcounts({2: room}, {2: plain}) == {
        2: CameraHeadcount(30, ())}  # cameras 1 and 3 are not analysed: 2 leads alone
    assert plan_headcounts({1: None}, {1: plain}) == {1: None}  # no session: its own scene


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Session]:
    with database(tmp_path) as session:
        yield session


@pytest.fixture
def room(db: Session) -> tuple[World, int]:
    """The first room with a second camera, a batch running in it: 2 examinees and 2 staff."""
    world = build_world(db)
    second = Camera(room_id=world.rooms[0], name="后")
    db.add(second)
    batch = planned_batch(db, world)
    batch.state = BatchState.IN_PROGRESS
    db.commit()
    return world, second.id


def people(n: int) -> list[Detection]:
    return [Detection("person", 0.9, (0.1 * i, 0.1, 0.1 * i + 0.05, 0.3)) for i in range(n)]


def run(monitors: Monitors, cameras: tuple[int, int],
        counts: list[tuple[int, int]]) -> list[tuple[int, EventKind, str]]:
    """Feed both cameras one sample a second (the second camera first); the transitions."""

    async def feed() -> list[tuple[int, EventKind, str]]:
        seen = []
        for second, pair in enumerate(counts):
            for camera, count in reversed(list(zip(cameras, pair, strict=True))):
                monitor = await monitors.get(camera)
                for t in monitor.observe(Sample(1000.0 + second, PICTURE, people(count))):
                    if t.kind in (EventKind.PERSON_MISSING, EventKind.EXTRA_PERSON):
                        seen.append((camera, t.kind, t.action))
        return seen

    return asyncio.run(feed())


def monitors_for(db: Session) -> Monitors:
    factory = sessionmaker(bind=db.get_bind(), expire_on_commit=False)
    roster = RosterHeadcount(factory)
    return Monitors(DbSceneStore(factory), AnalysisRules(), TamperThresholds(), lambda: None,
                    lambda cameras, _at: roster(cameras, INSIDE))


def test_the_roster_names_the_rooms_cameras(db: Session, room: tuple[World, int]) -> None:
    world, second = room
    assert room_roster(db, world.cameras[0], INSIDE) == RoomRoster(4, (world.cameras[0],
                                                                       second))
    assert room_roster(db, world.cameras[1], INSIDE) is None  # the other room: no session


def test_rosters_of_many_cameras_take_three_statements(db: Session,
                                                       room: tuple[World, int]) -> None:
    """The analyzer asks for every camera of its node on each pass: the rosters come in a
    fixed number of statements (sessions, their staff, the rooms' cameras), not per camera."""
    world, second = room
    extra = [Camera(room_id=world.rooms[index % 2], name=f"加{index}") for index in range(10)]
    db.add_all(extra)
    db.commit()
    cameras = [*world.cameras, second, *(camera.id for camera in extra)]
    one_by_one = {camera_id: room_roster(db, camera_id, INSIDE) for camera_id in cameras}
    db.expunge_all()
    with counted_statements(db) as statements:
        together = room_rosters(db, cameras, INSIDE)
    assert together == one_by_one
    assert len(statements) == 3
    assert sum(roster is not None for roster in together.values()) == 7  # the first room's


def test_two_cameras_judge_the_room_together(db: Session, room: tuple[World, int]) -> None:
    world, second = room
    cameras = (world.cameras[0], second)
    monitors = monitors_for(db)
    # the back camera misses an occluded examinee: the room still holds its 4
    assert run(monitors, cameras, [(4, 3)] * 12) == []
    assert monitors.known(cameras[0]).scene.expected_headcount == 4  # type: ignore[union-attr]
    assert monitors.known(second).scene.expected_headcount is None  # type: ignore[union-attr]
    # someone really left: one event, on the lead camera, not one per camera
    left = run(monitors, cameras, [(3, 3)] * 12)
    assert {(camera, kind) for camera, kind, _ in left} == {(cameras[0],
                                                             EventKind.PERSON_MISSING)}
    # a fifth person, seen by the back camera only: the room has one too many
    extra = run(monitors, cameras, [(4, 5)] * 12)
    assert (cameras[0], EventKind.EXTRA_PERSON, "open") in extra
    assert all(camera == cameras[0] for camera, _, _ in extra)


def test_cameras_with_seat_zones_expect_their_seats(db: Session,
                                                    room: tuple[World, int]) -> None:
    world, second = room
    save_settings(db, world.cameras[0], SceneSettings(seat_zones=zones(1),
                                                      invigilator_zone=zones(1)[0]), "admin")
    save_settings(db, second, SceneSettings(seat_zones=zones(1)), "admin")
    db.commit()
    monitors = monitors_for(db)
    # the front camera sees one examinee and the invigilator, the back one the other examinee
    assert run(monitors, (world.cameras[0], second), [(2, 1)] * 12) == []
    expected = [monitors.known(c).scene.expected_headcount  # type: ignore[union-attr]
                for c in (world.cameras[0], second)]
    assert expected == [2, 1]
