"""The expected headcount of a camera's room from the roster, while a session uses it.

While a session window of a filed batch is open (from filed to in progress; not a draft,
which is only a plan, and not after the batch ended), a room a session uses should hold its
examinees plus its staff (examiners and invigilators): the present count (实考) once
recorded, else the expected one (应考). Sessions overlapping in one room (of different
batches) add up. Outside the windows the camera's own scene setting applies.

The roster gives the **room's** count and the room's cameras (:class:`RoomRoster`), never a
count per camera: with two cameras in a room each seeing part of it, neither should expect
everyone. How the room's count is shared is the analyzer's decision
(:mod:`proctor.vision.room_headcount`): one camera expects the whole room; with several,
a camera with seat zones expects the seats it covers, and the others judge the room
together (the most people any of them counts against the room's count). The composition
root passes a :class:`RosterHeadcount` to the analyzer, so vision never imports this wing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from proctor.db.models import Camera
from proctor.db.session import session_scope
from proctor.supervision.records import Batch, ExamSession, SessionRoom
from proctor.supervision.states import BatchState

RUNNING = (BatchState.FILED, BatchState.SUPERVISORS_DRAWN, BatchState.IN_PROGRESS)


@dataclass(frozen=True)
class RoomRoster:
    """People a room's roster expects at a moment, and every camera of the room."""

    people: int
    cameras: tuple[int, ...]


def expected_headcount(db: Session, camera_id: int, at: datetime) -> int | None:
    """People the camera's room should hold at ``at`` by the roster; ``None`` when no
    running batch's session uses the room then."""
    room = room_roster(db, camera_id, at)
    return None if room is None else room.people


def room_roster(db: Session, camera_id: int, at: datetime) -> RoomRoster | None:
    """The roster's count for the camera's room at ``at`` and the room's cameras; ``None``
    when no running batch's session uses the room then."""
    return room_rosters(db, (camera_id,), at)[camera_id]


def room_rosters(db: Session, camera_ids: Collection[int], at: datetime
                 ) -> dict[int, RoomRoster | None]:
    """:func:`room_roster` of many cameras in two statements, whatever their number (the
    analyzer asks for every camera of a node on each pass)."""
    uses = db.execute(
        select(Camera.id, SessionRoom)
        .join(SessionRoom, Camera.room_id == SessionRoom.room_id)
        .join(ExamSession, ExamSession.id == SessionRoom.session_id)
        .join(Batch, Batch.id == ExamSession.batch_id)
        .where(Camera.id.in_(camera_ids), Batch.state.in_(RUNNING),
               ExamSession.starts_at <= at, ExamSession.ends_at > at)
        .options(selectinload(SessionRoom.staff))).all()
    rooms_of_camera: dict[int, list[SessionRoom]] = defaultdict(list)
    for camera_id, room in uses:
        rooms_of_camera[camera_id].append(room)
    cameras_of_room: dict[int, list[int]] = defaultdict(list)
    used_rooms = {rooms[0].room_id for rooms in rooms_of_camera.values()}
    for camera_id, room_id in db.execute(select(Camera.id, Camera.room_id)
                                         .where(Camera.room_id.in_(used_rooms))
                                         .order_by(Camera.id)):
        cameras_of_room[room_id].append(camera_id)
    return {camera_id: _roster(rooms_of_camera[camera_id], cameras_of_room)
            if camera_id in rooms_of_camera else None for camera_id in camera_ids}


def _roster(rooms: list[SessionRoom], cameras_of_room: dict[int, list[int]]) -> RoomRoster:
    return RoomRoster(sum(_people(room) for room in rooms),
                      tuple(cameras_of_room[rooms[0].room_id]))


def _people(room: SessionRoom) -> int:
    examinees = room.present if room.present is not None else room.expected_examinees
    return examinees + len(room.staff)


class RosterHeadcount:
    """:func:`room_rosters` of several cameras in one short session: the analyzer's
    headcount source (:data:`proctor.vision.monitors.HeadcountSource`)."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    def __call__(self, camera_ids: Collection[int], at: datetime
                 ) -> dict[int, RoomRoster | None]:
        """Each camera's room roster at ``at`` (``None``: no session uses its room)."""
        with session_scope(self.session_factory) as db:
            return room_rosters(db, camera_ids, at)
