"""During a session: the roster's headcount for the room's cameras (inside the window only,
for a filed batch only), the analyzer's monitors taking it over from the scene and giving
it back, and the events tied to the batch."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker
from support.batches import World, at, planned_batch

from proctor.db.models import Event
from proctor.scenes.records import save_settings
from proctor.scenes.store import DbSceneStore
from proctor.supervision.batch_events import events_of_batch
from proctor.supervision.headcount import RoomRoster, RosterHeadcount, expected_headcount
from proctor.supervision.records import Batch
from proctor.supervision.states import BatchState
from proctor.vision.monitors import Monitors
from proctor.vision.rules import AnalysisRules
from proctor.vision.scene import SceneSettings
from proctor.vision.tamper import TamperThresholds

INSIDE, OUTSIDE = at("2026-03-02 10:00"), at("2026-03-02 11:00")  # the window ends at 11:00


def running(db: Session, world: World) -> Batch:
    batch = planned_batch(db, world)  # 2 examinees, an examiner and an invigilator
    batch.state = BatchState.IN_PROGRESS
    db.commit()
    return batch


def test_the_roster_counts_inside_the_window_only(db: Session, world: World) -> None:
    running(db, world)
    camera, other_room = world.cameras
    assert expected_headcount(db, camera, INSIDE) == 4
    assert expected_headcount(db, camera, at("2026-03-02 09:00")) == 4  # the start counts
    assert expected_headcount(db, camera, OUTSIDE) is None
    assert expected_headcount(db, other_room, INSIDE) is None


def test_present_count_replaces_expected_and_drafts_do_not_count(db: Session,
                                                                world: World) -> None:
    batch = running(db, world)
    batch.sessions[0].rooms[0].present = 1  # 实考 1, 缺考 1
    db.flush()
    assert expected_headcount(db, world.cameras[0], INSIDE) == 3
    batch.state = BatchState.DRAFT
    db.flush()
    assert expected_headcount(db, world.cameras[0], INSIDE) is None
    batch.state = BatchState.ENDED
    db.flush()
    assert expected_headcount(db, world.cameras[0], INSIDE) is None


def test_monitors_take_the_roster_and_give_the_scene_back(db: Session, world: World) -> None:
    running(db, world)
    camera = world.cameras[0]
    save_settings(db, camera, SceneSettings(expected_headcount=9), "admin")
    db.commit()
    clock = {"now": INSIDE}
    factory = sessionmaker(bind=db.get_bind(), expire_on_commit=False)

    def roster(camera_ids: Collection[int], _at: datetime) -> dict[int, RoomRoster | None]:
        return RosterHeadcount(factory)(camera_ids, clock["now"])

    monitors = Monitors(DbSceneStore(factory), AnalysisRules(), TamperThresholds(),
                        lambda: None, roster)

    async def scenario() -> list[int | None]:
        seen = [(await monitors.get(camera)).scene.expected_headcount]
        clock["now"] = OUTSIDE
        await monitors.apply_headcounts()
        seen.append((await monitors.get(camera)).scene.expected_headcount)
        clock["now"] = INSIDE
        await monitors.apply_headcounts()
        seen.append((await monitors.get(camera)).scene.expected_headcount)
        return seen

    assert asyncio.run(scenario()) == [4, 9, 4]


def test_events_in_a_session_window_belong_to_the_batch(db: Session, world: World) -> None:
    batch = running(db, world)
    camera, elsewhere = world.cameras

    def event(cam: int, start: str, end: str | None) -> Event:
        row = Event(camera_id=cam, kind="people_extra", started_at=at(start),
                    ended_at=at(end) if end else None)
        db.add(row)
        return row

    inside = event(camera, "2026-03-02 09:30", "2026-03-02 09:31")
    straddling = event(camera, "2026-03-02 08:50", "2026-03-02 09:05")
    still_open = event(camera, "2026-03-02 10:59", None)
    event(camera, "2026-03-02 08:00", "2026-03-02 08:59")  # before the window
    event(camera, "2026-03-02 11:00", None)  # starts as the window closes
    event(elsewhere, "2026-03-02 09:30", None)  # a room the batch does not use
    db.flush()
    assert [e.id for e in events_of_batch(db, batch.id)] == [
        straddling.id, inside.id, still_open.id]
