"""The events API's database work: which events a user may see, and their snapshots (footage,
so audit-logged). Events are seen by the camera's live watchers and by those who review its
footage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, false, or_, select
from sqlalchemy.orm import Session

from proctor import audit
from proctor.auth.grants import Window
from proctor.auth.scope import CameraPlace, Permission, Scope, cameras_in_scope
from proctor.db.base import as_utc
from proctor.db.models import Camera, Event
from proctor.errors import NotFound
from proctor.events.views import EventView, event_view
from proctor.recording.store import ObjectStore, require_store
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
    """The events of the cameras the scope may see, newest first; on a camera granted for
    windows of time (a drawn supervisor's), only the events overlapping one."""
    visible = [_seen_on(camera.id, scope.windows_of(SEE_EVENTS, CameraPlace.of(camera)))
               for camera in cameras_in_scope(db, scope, SEE_EVENTS)]
    rows = db.scalars(wanted.apply(select(Event).where(or_(false(), *visible))))
    return [event_view(row) for row in rows]


def _seen_on(camera_id: int, windows: tuple[Window, ...] | None) -> ColumnElement[bool]:
    """The events of the camera overlapping ``windows`` (``None``: all of them)."""
    on_camera = Event.camera_id == camera_id
    if windows is None:
        return on_camera
    return and_(on_camera, or_(false(), *(
        and_(Event.started_at < window.end,
             or_(Event.ended_at.is_(None), Event.ended_at > window.start))
        for window in windows)))


def get_event(db: Session, scope: Scope, event_id: int) -> EventView:
    """One event the scope may see (:class:`NotFound` otherwise, saying neither; on a
    camera granted for windows of time, :class:`Forbidden` naming them when the event
    overlaps none)."""
    event, place = _visible_event(db, scope, event_id)
    windows = scope.windows_of(SEE_EVENTS, place)
    if windows is not None and not any(_overlaps(event, window) for window in windows):
        raise scope.outside_windows(place, windows)
    return event_view(event)


def snapshot(db: Session, scope: Scope, store: ObjectStore | None, event_id: int) -> bytes:
    """The JPEG taken when the event opened (on a camera granted for windows of time, only
    when it opened within one: :class:`Forbidden` naming them otherwise); the download is
    audit-logged. The store is needed only once access is decided."""
    event, place = _visible_event(db, scope, event_id)
    windows = scope.windows_of(SEE_EVENTS, place)
    if windows is not None and not any(w.contains(event.started_at) for w in windows):
        raise scope.outside_windows(place, windows)
    snapshots = require_store(store, "snapshots")
    if event.snapshot_key is None or event.snapshot_version is None:
        raise NotFound(f"event {event_id} has no snapshot (no picture, or the object store "
                       "was unreachable when it opened)")
    jpeg = snapshots.read(event.snapshot_key, event.snapshot_version)
    audit.record(db, scope.actor, "event.snapshot", f"event:{event.id}",
                 camera=event.camera_id)
    return jpeg


def open_events(db: Session, camera_ids: set[int]) -> list[EventView]:
    """The open events of these cameras, oldest first (the live alerts' hello)."""
    rows = db.scalars(select(Event).where(Event.ended_at.is_(None),
                                          Event.camera_id.in_(camera_ids)).order_by(Event.id))
    return [event_view(row) for row in rows]


def _overlaps(event: Event, window: Window) -> bool:
    return event.started_at < window.end and (event.ended_at is None
                                              or event.ended_at > window.start)


def _visible_event(db: Session, scope: Scope, event_id: int) -> tuple[Event, CameraPlace]:
    """The event and its camera's place, if the scope may see events of that camera."""
    event = db.get(Event, event_id)
    camera = db.get(Camera, event.camera_id) if event is not None else None
    if event is None or camera is None \
            or not scope.allows_any(SEE_EVENTS, CameraPlace.of(camera)):
        raise NotFound(f"event {event_id} does not exist or is not yours to see")
    return event, CameraPlace.of(camera)
