"""Events the analyzer flagged, for users who may watch or review the camera; snapshot
downloads are footage and are audit-logged."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import Response
from sqlalchemy import select

from proctor import audit
from proctor.api.deps import CurrentUser, RecordingDep, SessionDep
from proctor.auth.policy import can_see_events, visible_cameras_query
from proctor.db.base import as_utc
from proctor.db.models import Camera, Event, User
from proctor.vision.events import EventView, event_view
from proctor.vision.rules import EventKind

router = APIRouter(prefix="/api/events", tags=["events"])


@router.get("")
def list_events(
    db: SessionDep, user: CurrentUser,
    camera_id: Annotated[int | None, Query(description="only this camera")] = None,
    kind: Annotated[EventKind | None, Query(description="only this kind")] = None,
    open_only: Annotated[bool, Query(alias="open", description="only events still open")] = False,
    since: Annotated[datetime | None, Query(
        description="started at or after (ISO 8601; UTC when it has no offset)")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[EventView]:
    """Events of the cameras the user may see, newest first."""
    cameras = [c.id for c in db.scalars(visible_cameras_query(user))
               if can_see_events(user, c)]
    query = select(Event).where(Event.camera_id.in_(cameras))
    if camera_id is not None:
        query = query.where(Event.camera_id == camera_id)
    if kind is not None:
        query = query.where(Event.kind == kind.value)
    if open_only:
        query = query.where(Event.ended_at.is_(None))
    if since is not None:
        query = query.where(Event.started_at >= as_utc(since))
    rows = db.scalars(query.order_by(Event.started_at.desc(), Event.id.desc()).limit(limit))
    return [event_view(row) for row in rows]


def _visible_event(db: SessionDep, user: User, event_id: int) -> Event:
    event = db.get(Event, event_id)
    camera = db.get(Camera, event.camera_id) if event is not None else None
    if event is None or camera is None or not can_see_events(user, camera):
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            detail=f"event {event_id} does not exist or is not yours to see")
    return event


@router.get("/{event_id}")
def get_event(event_id: int, db: SessionDep, user: CurrentUser) -> EventView:
    """One event with its explanation."""
    return event_view(_visible_event(db, user, event_id))


@router.get("/{event_id}/snapshot.jpg")
def get_snapshot(event_id: int, db: SessionDep, user: CurrentUser,
                 recording: RecordingDep) -> Response:
    """The picture taken when the event opened (audit-logged)."""
    event = _visible_event(db, user, event_id)
    if event.snapshot_key is None or event.snapshot_version is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            detail=f"event {event_id} has no snapshot (no picture, or the "
                            "object store was unreachable when it opened)")
    jpeg = recording.store.read(event.snapshot_key, event.snapshot_version)
    audit.record(db, f"user:{user.id}", "event.snapshot", f"event:{event.id}",
                 camera=event.camera_id)
    return Response(jpeg, media_type="image/jpeg")
