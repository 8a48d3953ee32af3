"""The events API's database work: which events a user may see, and their snapshots (footage,
so audit-logged). Events are seen by the camera's live watchers and by those who review its
footage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from proctor import audit
from proctor.auth.scope import CameraPlace, Permission, Scope, cameras_in_scope
from proctor.db.base import as_utc
from proctor.db.models import Camera, Event
from proctor.errors import NotFound
from proctor.events.views import EventView, event_view
from proctor.recording.store import ObjectStore
from proctor.vision.kinds import EventKind

SEE_EVENTS = frozenset({Permission.WATCH_LIVE, Permission.VIEW_ARCHIVE})


@dataclass(frozen=True)
class EventFilter:
    """Which events to list (every field optional but ``limit``)."""

    camera_id: int | None = None
    kind: EventKind | None = None
    open_only: bool = False
    since: datetime | None = None  # started at or after; UTC when naive
    limit: int = 200

    def apply(self, query: Select[Event]) -> Select[Event]:
        """``query`` narrowed to this filter, newest first."""
        if self.camera_id is not None:
            query = query.where(Event.camera_id == self.camera_id)
        if self.kind is not None:
            query = query.where(Event.kind == self.kind.value)
        if self.open_only:
            query = query.where(Event.ended_at.is_(None))
        if self.since is not None:
            query = query.where(Event.started_at >= as_utc(self.since))
        return query.order_by(Event.started_at.desc(), Event.id.desc()).limit(self.limit)


def list_events(db: Session, scope: Scope, wanted: EventFilter) -> list[EventView]:
    """The events of the cameras the scope may see, newest first."""
    cameras = [camera.id for camera in cameras_in_scope(db, scope, SEE_EVENTS)]
    rows = db.scalars(wanted.apply(select(Event).where(Event.camera_id.in_(cameras))))
    return [event_view(row) for row in rows]


def get_event(db: Session, scope: Scope, event_id: int) -> EventView:
    """One event the scope may see (:class:`NotFound` otherwise, saying neither)."""
    return event_view(_visible_event(db, scope, event_id))


def snapshot(db: Session, scope: Scope, store: ObjectStore, event_id: int) -> bytes:
    """The JPEG taken when the event opened; the download is audit-logged."""
    event = _visible_event(db, scope, event_id)
    if event.snapshot_key is None or event.snapshot_version is None:
        raise NotFound(f"event {event_id} has no snapshot (no picture, or the object store "
                       "was unreachable when it opened)")
    jpeg = store.read(event.snapshot_key, event.snapshot_version)
    audit.record(db, scope.actor, "event.snapshot", f"event:{event.id}",
                 camera=event.camera_id)
    return jpeg


def open_events(db: Session, camera_ids: set[int]) -> list[EventView]:
    """The open events of these cameras, oldest first (the live alerts' hello)."""
    rows = db.scalars(select(Event).where(Event.ended_at.is_(None),
                                          Event.camera_id.in_(camera_ids)).order_by(Event.id))
    return [event_view(row) for row in rows]


def _visible_event(db: Session, scope: Scope, event_id: int) -> Event:
    event = db.get(Event, event_id)
    camera = db.get(Camera, event.camera_id) if event is not None else None
    if event is None or camera is None \
            or not scope.allows_any(SEE_EVENTS, CameraPlace.of(camera)):
        raise NotFound(f"event {event_id} does not exist or is not yours to see")
    return event
