"""Events the analyzer flagged, for users who may watch or review the camera; snapshot
downloads are footage and are audit-logged (:mod:`proctor.events.service`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from proctor.api.deps import CurrentScope, SessionDep, StoreDep
from proctor.api.params import MAX_ID, Id
from proctor.events import service
from proctor.events.views import EventView
from proctor.vision.kinds import EventKind

router = APIRouter(prefix="/api/events", tags=["events"])


@router.get("")
def list_events(
    db: SessionDep, scope: CurrentScope,
    camera_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="only this camera")
                         ] = None,
    kind: Annotated[EventKind | None, Query(description="only this kind")] = None,
    open_only: Annotated[bool, Query(alias="open", description="only events still open")] = False,
    since: Annotated[datetime | None, Query(
        description="started at or after (ISO 8601; UTC when it has no offset)")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[EventView]:
    """Events of the cameras the user may see, newest first."""
    return service.list_events(db, scope, service.EventFilter(
        camera_id=camera_id, kind=kind, open_only=open_only, since=since, limit=limit))


@router.get("/{event_id}")
def get_event(event_id: Id, db: SessionDep, scope: CurrentScope) -> EventView:
    """One event with its explanation."""
    return service.get_event(db, scope, event_id)


@router.get("/{event_id}/snapshot.jpg")
def get_snapshot(event_id: Id, db: SessionDep, scope: CurrentScope,
                 store: StoreDep) -> Response:
    """The picture taken when the event opened (audit-logged; 503 without an object store,
    once access is decided)."""
    return Response(service.snapshot(db, scope, store, event_id),
                    media_type="image/jpeg")
