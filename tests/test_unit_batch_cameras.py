"""The cameras of a batch's sessions and where a range of them may lie, on a real (SQLite)
database: each session with the cameras of its rooms; a range inside one session window
whose rooms hold every camera names that session, edges included; times without a zone, a
reversed or empty range, a camera not of the batch, a range crossing two windows and
cameras split across sessions are refused saying why (the windows listed in UTC)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session
from support.batches import ADMIN, World, at, planned_batch

from proctor.errors import InvalidInput
from proctor.supervision import batches
from proctor.supervision.batch_cameras import SessionCameras, session_cameras, session_holding
from proctor.supervision.records import Batch
from proctor.supervision.report.terms import Level, Mode

MORNING, AFTERNOON = at("2026-03-02 09:00"), at("2026-03-02 14:00")
TWO_HOURS = timedelta(hours=2)


@pytest.fixture
def batch(db: Session, world: World) -> Batch:
    """A morning session in the first room (planned_batch) and an afternoon one in both."""
    batch = planned_batch(db, world)
    afternoon = batches.add_session(db, ADMIN, batch.id, "第二场", AFTERNOON,
                                    AFTERNOON + TWO_HOURS)
    for room in world.rooms:
        batches.add_room(db, ADMIN, afternoon.id, room, 10)
    db.commit()
    db.refresh(batch)
    return batch


def holding(db: Session, batch: Batch, cameras: set[int], start: datetime,
            end: datetime) -> SessionCameras:
    return session_holding(batch, session_cameras(db, batch), cameras, start, end)


def test_each_session_with_the_cameras_of_its_rooms(db: Session, world: World,
                                                    batch: Batch) -> None:
    found = session_cameras(db, batch)
    assert [(s.name, s.starts_at, s.camera_ids) for s in found] == [
        ("第一场", MORNING, (world.cameras[0],)), ("第二场", AFTERNOON, world.cameras)]


def test_a_range_in_one_window_names_its_session_edges_included(db: Session, world: World,
                                                                batch: Batch) -> None:
    first, second = world.cameras
    assert holding(db, batch, {first}, MORNING, MORNING + TWO_HOURS).name == "第一场"
    assert holding(db, batch, {first, second}, AFTERNOON + timedelta(minutes=5),
                   AFTERNOON + timedelta(minutes=6)).name == "第二场"
    # the second room's camera is only in the afternoon
    with pytest.raises(InvalidInput, match="is not within one session window") as refused:
        holding(db, batch, {second}, MORNING, MORNING + timedelta(minutes=5))
    assert "2026-03-02T01:00:00Z" in str(refused.value)  # the morning window, in UTC


@pytest.mark.parametrize(("start", "end", "reason"), [
    (MORNING.replace(tzinfo=None), MORNING + TWO_HOURS, "time zone offset"),
    (MORNING + TWO_HOURS, MORNING, "must end after it starts"),
    (MORNING, MORNING, "must end after it starts"),
    (MORNING + timedelta(hours=1), AFTERNOON + timedelta(minutes=1), "not within one session"),
    (MORNING - timedelta(seconds=1), MORNING + timedelta(minutes=1), "not within one session"),
])
def test_ranges_that_fit_no_window_are_refused(db: Session, world: World, batch: Batch,
                                               start: datetime, end: datetime,
                                               reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        holding(db, batch, {world.cameras[0]}, start, end)


@pytest.mark.parametrize("stranger", [999_999, 2**63 - 1])
def test_a_camera_not_of_the_batch_is_named(db: Session, world: World, batch: Batch,
                                            stranger: int) -> None:
    with pytest.raises(InvalidInput, match=f"camera\\(s\\) \\[{stranger}\\] are not cameras"):
        holding(db, batch, {world.cameras[0], stranger}, MORNING, MORNING + TWO_HOURS)


def test_a_batch_without_sessions_has_no_cameras(db: Session, world: World) -> None:
    empty = batches.create_batch(db, ADMIN, world.organisation, "车工", "6-18-01-01",
                                 Level.FOUR, Mode.PRACTICAL)
    assert session_cameras(db, empty) == []
    with pytest.raises(InvalidInput, match="its cameras: \\[\\]"):
        holding(db, empty, {world.cameras[0]}, MORNING, MORNING + TWO_HOURS)
