"""The expected headcount of a camera from the roster, while a session uses its room.

While a session window of a filed batch is open (from filed to in progress; not a draft,
which is only a plan, and not after the batch ended), each camera of a room the session
uses expects the room's examinees plus its staff (examiners and invigilators): the present
count (实考) once recorded, else the expected one (应考). Both cameras of a two-camera room
usually see the whole room, so each expects the whole roster. Outside the windows the
camera's own scene setting applies. The composition root passes a :class:`RosterHeadcount`
to the analyzer, so vision never imports this wing.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from proctor.db.models import Camera
from proctor.db.session import session_scope
from proctor.supervision.records import Batch, ExamSession, SessionRoom
from proctor.supervision.states import BatchState

RUNNING = (BatchState.FILED, BatchState.SUPERVISORS_DRAWN, BatchState.IN_PROGRESS)


def expected_headcount(db: Session, camera_id: int, at: datetime) -> int | None:
    """People the camera should see at ``at`` by the roster; ``None`` when no running
    batch's session uses the camera's room then. Sessions overlapping in one room (of
    different batches) add up."""
    rooms = db.scalars(
        select(SessionRoom)
        .join(Camera, Camera.room_id == SessionRoom.room_id)
        .join(ExamSession, ExamSession.id == SessionRoom.session_id)
        .join(Batch, Batch.id == ExamSession.batch_id)
        .where(Camera.id == camera_id, Batch.state.in_(RUNNING),
               ExamSession.starts_at <= at, ExamSession.ends_at > at)).all()
    if not rooms:
        return None
    return sum(_people(room) for room in rooms)


def _people(room: SessionRoom) -> int:
    examinees = room.present if room.present is not None else room.expected_examinees
    return examinees + len(room.staff)


class RosterHeadcount:
    """:func:`expected_headcount` of several cameras in one short session: the analyzer's
    headcount source (:data:`proctor.vision.monitors.HeadcountSource`)."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    def __call__(self, camera_ids: Collection[int], at: datetime) -> dict[int, int | None]:
        """People each camera should see at ``at`` by the roster (``None``: no session)."""
        with session_scope(self.session_factory) as db:
            return {camera_id: expected_headcount(db, camera_id, at) for camera_id in camera_ids}
