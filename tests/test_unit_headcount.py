"""The headcount a camera's room should hold by the roster, on a real (SQLite) database:
the roster's 2 examinees and 2 staff while a filed batch's session window is open (start
included, end excluded), the present count once recorded, overlapping sessions of two
batches adding up, nothing for a draft or an ended batch, and the room's cameras in order;
the analyzer's source answers for several cameras at once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from support.batches import World, at, planned_batch

from proctor.db.session import create_db_engine, create_session_factory
from proctor.supervision.headcount import (
    RoomRoster,
    RosterHeadcount,
    expected_headcount,
    room_roster,
)
from proctor.supervision.records import Batch
from proctor.supervision.states import BatchState

START, END = at("2026-03-02 09:00"), at("2026-03-02 11:00")
DURING = START + timedelta(minutes=30)
ROSTER_PEOPLE = 4  # support.batches.ROSTER: 2 examinees, an examiner and an invigilator


def filed(db: Session, world: World, start: str = "2026-03-02 09:00",
          end: str = "2026-03-02 11:00") -> Batch:
    batch = planned_batch(db, world, start, end)
    batch.state = BatchState.FILED
    db.commit()
    return batch


def test_a_running_session_expects_the_roster_in_its_window_only(db: Session,
                                                                 world: World) -> None:
    filed(db, world)
    camera = world.cameras[0]
    assert room_roster(db, camera, DURING) == RoomRoster(ROSTER_PEOPLE, (camera,))
    assert expected_headcount(db, camera, START) == ROSTER_PEOPLE
    assert expected_headcount(db, camera, END) is None  # the window's end is excluded
    assert expected_headcount(db, camera, START - timedelta(seconds=1)) is None
    assert expected_headcount(db, world.cameras[1], DURING) is None  # another room


def test_the_present_count_replaces_the_expected_one(db: Session, world: World) -> None:
    batch = filed(db, world)
    room = batch.sessions[0].rooms[0]
    room.present = 1
    db.commit()
    assert expected_headcount(db, world.cameras[0], DURING) == 1 + 2  # present, and the staff


def test_overlapping_sessions_of_two_batches_add_up(db: Session, world: World) -> None:
    filed(db, world)
    filed(db, world, "2026-03-02 10:00", "2026-03-02 12:00")
    camera = world.cameras[0]
    assert expected_headcount(db, camera, DURING) == ROSTER_PEOPLE
    assert expected_headcount(db, camera, START + timedelta(hours=1, minutes=30)) == \
        2 * ROSTER_PEOPLE
    assert expected_headcount(db, camera, END + timedelta(minutes=30)) == ROSTER_PEOPLE


def test_a_draft_or_an_ended_batch_expects_nobody(db: Session, world: World) -> None:
    batch = planned_batch(db, world)  # a draft: only a plan
    assert expected_headcount(db, world.cameras[0], DURING) is None
    for state in (BatchState.IN_PROGRESS, BatchState.ENDED):
        batch.state = state
        db.commit()
        expected = ROSTER_PEOPLE if state is BatchState.IN_PROGRESS else None
        assert expected_headcount(db, world.cameras[0], DURING) == expected


def test_the_analyzers_source_answers_for_several_cameras(db: Session, world: World) -> None:
    filed(db, world)
    bind = db.get_bind()
    assert isinstance(bind, Engine)
    engine = create_db_engine(bind.url.render_as_string(hide_password=False))
    try:
        factory: sessionmaker[Session] = create_session_factory(engine)
        source = RosterHeadcount(factory)
        first, second = world.cameras
        answer = source([first, second, 2**62], DURING)
        assert answer == {first: RoomRoster(ROSTER_PEOPLE, (first,)), second: None,
                          2**62: None}
        assert source([], datetime.fromtimestamp(0).astimezone()) == {}
    finally:
        engine.dispose()
