"""The cameras of a batch, session by session, and where a time range of them may lie.

A camera belongs to a session when it is in a room the session uses; the cameras of a
batch are those of all its sessions. Findings and gap explanations name cameras and a
time range: the range must lie within the window of one session whose rooms hold every
named camera (:func:`session_holding`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor.db.models import Camera
from proctor.errors import InvalidInput
from proctor.supervision.records import Batch, SessionRoom


@dataclass(frozen=True)
class SessionCameras:
    """A session window and the cameras of the rooms it uses."""

    session_id: int
    name: str
    starts_at: datetime
    ends_at: datetime
    camera_ids: tuple[int, ...]

    def holds(self, camera_ids: set[int], start: datetime, end: datetime) -> bool:
        """Whether every camera is this session's and ``start..end`` lies in its window."""
        return (camera_ids <= set(self.camera_ids)
                and self.starts_at <= start and end <= self.ends_at)


def session_cameras(db: Session, batch: Batch) -> list[SessionCameras]:
    """Every session of the batch (by start) with its cameras (by id)."""
    cameras: dict[int, list[int]] = defaultdict(list)
    rows = db.execute(select(SessionRoom.session_id, Camera.id)
                      .join(Camera, Camera.room_id == SessionRoom.room_id)
                      .where(SessionRoom.session_id.in_([s.id for s in batch.sessions]))
                      .order_by(Camera.id))
    for session_id, camera_id in rows:
        cameras[session_id].append(camera_id)
    return [SessionCameras(s.id, s.name, s.starts_at, s.ends_at, tuple(cameras[s.id]))
            for s in batch.sessions]


def session_holding(batch: Batch, sessions: list[SessionCameras], camera_ids: set[int],
                    start: datetime, end: datetime) -> SessionCameras:
    """The session whose window holds ``start..end`` and whose rooms hold every camera;
    :class:`InvalidInput` saying which camera or which windows otherwise."""
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidInput("times need a time zone offset (e.g. +08:00)")
    if end <= start:
        raise InvalidInput(f"a range must end after it starts ({start.isoformat()} to "
                           f"{end.isoformat()})")
    known = {camera for session in sessions for camera in session.camera_ids}
    strangers = sorted(camera_ids - known)
    if strangers:
        raise InvalidInput(f"camera(s) {strangers} are not cameras of batch {batch.id} (its "
                           f"cameras: {sorted(known)})")
    found = next((s for s in sessions if s.holds(camera_ids, start, end)), None)
    if found is None:
        windows = "; ".join(f"{s.name} {s.starts_at:%Y-%m-%dT%H:%M:%SZ}/"
                            f"{s.ends_at:%Y-%m-%dT%H:%M:%SZ} cameras {list(s.camera_ids)}"
                            for s in sessions)
        raise InvalidInput(f"{start.isoformat()} to {end.isoformat()} is not within one "
                           f"session window of batch {batch.id} whose rooms hold camera(s) "
                           f"{sorted(camera_ids)}; the windows (UTC): {windows}")
    return found
