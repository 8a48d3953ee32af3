"""Scope from the draw: what an assignment lets a drawn supervisor see.

A supervisor drawn for a batch (an :class:`~proctor.supervision.oversight.Assignment` of a
:class:`~proctor.supervision.oversight.Supervisor` whose ``user_id`` is the console user)
may watch and replay exactly the batch's cameras: the cameras of the rooms its sessions
use. Each camera gets the windows of the sessions held in its room, widened by the margin
on both sides: live viewing only while a window is open, the footage of the windows until
the assignment's ``access_until`` (the end of the report period). An inactive supervisor
gets nothing. The composition root passes :func:`assignment_grants` to the scope loader
and :data:`ASSIGNMENT_ACCESS_ROWS` to the access-change watch, so auth never imports this
wing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from proctor.auth.access_changes import AccessRows
from proctor.auth.grants import CameraGrant, GrantSource, Window
from proctor.db.models import Camera, User
from proctor.supervision.oversight import Assignment, Supervisor
from proctor.supervision.records import ExamSession, SessionRoom

# rows whose change can narrow a drawn supervisor's access (inserts widen it: they count
# too, so the alert socket's camera list follows)
ASSIGNMENT_ACCESS_ROWS: tuple[AccessRows, ...] = (
    AccessRows(Assignment, frozenset({"access_until", "batch_id", "supervisor_id"}),
               on_insert=True),
    AccessRows(Supervisor, frozenset({"user_id", "is_active"})),
    AccessRows(ExamSession, frozenset({"starts_at", "ends_at"}), on_insert=True),
    AccessRows(SessionRoom, frozenset({"room_id", "session_id"}), on_insert=True),
)

_GrantKey = tuple[int, int, datetime]  # camera, batch, access_until


def assignment_grants(margin: timedelta) -> GrantSource:
    """The grant source of assignments, with session windows widened by ``margin``."""
    if margin < timedelta(0):
        raise ValueError(f"the access margin must not be negative: {margin}")

    def grants(db: Session, user: User) -> Iterable[CameraGrant]:
        windows: dict[_GrantKey, list[Window]] = defaultdict(list)
        for camera_id, batch_id, until, starts_at, ends_at in db.execute(_query(user.id)):
            if ends_at > starts_at:  # a malformed session window gives nothing
                windows[camera_id, batch_id, until].append(
                    Window(starts_at, ends_at).widened(margin))
        return [CameraGrant(camera_id, tuple(spans), until, f"batch {batch_id}")
                for (camera_id, batch_id, until), spans in sorted(windows.items())]

    return grants


def _query(user_id: int) -> Select[int, int, datetime, datetime, datetime]:
    """Every (camera, batch, access_until, session window) of the user's assignments."""
    return (select(Camera.id, Assignment.batch_id, Assignment.access_until,
                   ExamSession.starts_at, ExamSession.ends_at)
            .join(Supervisor, Assignment.supervisor_id == Supervisor.id)
            .join(ExamSession, ExamSession.batch_id == Assignment.batch_id)
            .join(SessionRoom, SessionRoom.session_id == ExamSession.id)
            .join(Camera, Camera.room_id == SessionRoom.room_id)
            .where(Supervisor.user_id == user_id, Supervisor.is_active.is_(True)))
