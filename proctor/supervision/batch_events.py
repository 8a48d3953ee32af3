"""The analysis events of a batch: those of its rooms' cameras within its session windows.

An event belongs to a batch when its camera is in a room one of the batch's sessions uses
and it overlaps that session's window (an event still open overlaps every window after its
start). Review and the results gate count these; their reviewers list them
(:func:`reviewable_events`).
"""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from proctor.auth.scope import Scope
from proctor.db.models import Camera, Event
from proctor.supervision.records import ExamSession, SessionRoom
from proctor.supervision.review_access import reviewable_batch


def events_of_batch_query(batch_id: int) -> Select[Event]:
    """The query of the batch's events, oldest first, each once."""
    in_window = (select(Event.id)
                 .join(Camera, Camera.id == Event.camera_id)
                 .join(SessionRoom, SessionRoom.room_id == Camera.room_id)
                 .join(ExamSession, ExamSession.id == SessionRoom.session_id)
                 .where(ExamSession.batch_id == batch_id,
                        Event.started_at < ExamSession.ends_at,
                        or_(Event.ended_at.is_(None), Event.ended_at > ExamSession.starts_at)))
    return (select(Event).where(Event.id.in_(in_window))
            .order_by(Event.started_at, Event.id))


def events_of_batch(db: Session, batch_id: int) -> list[Event]:
    """The batch's events, oldest first."""
    return list(db.scalars(events_of_batch_query(batch_id)))


def reviewable_events(db: Session, scope: Scope, batch_id: int) -> list[Event]:
    """The batch's events, oldest first, if the scope's user may review the batch (else
    :class:`~proctor.errors.NotFound` or :class:`~proctor.errors.Forbidden`)."""
    reviewable_batch(db, scope, batch_id)
    return events_of_batch(db, batch_id)
