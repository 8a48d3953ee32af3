"""Event rows in the database and their snapshots in the object store.

A row is written when a rule opens, updated when it gets worse and closed when the
condition ends, so the log survives a restart and analysis can carry on from it. The
snapshot JPEG is stored under COMPLIANCE retention like the footage it comes from.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from proctor.db.models import Event
from proctor.db.session import session_scope
from proctor.events.views import EventView, event_view
from proctor.recording.retention import retain_until
from proctor.recording.store import ObjectStore, StorageError
from proctor.vision.kinds import EventKind
from proctor.vision.transitions import EventOpened, EventTransition, EventUpdated

logger = logging.getLogger(__name__)


def from_epoch(seconds: float) -> datetime:
    """An aware UTC datetime from epoch seconds."""
    return datetime.fromtimestamp(seconds, UTC)


def snapshot_key(camera_id: int, started_at: datetime, event_id: int, kind: EventKind) -> str:
    """Where an event's snapshot is stored: by camera and day, like footage."""
    return (f"events/camera-{camera_id}/{started_at:%Y/%m/%d}/"
            f"event-{event_id}-{kind.value}.jpg")


class EventLog:
    """Writes transitions to the database and snapshots to the store (when there is one)."""

    def __init__(self, session_factory: sessionmaker[Session], store: ObjectStore | None,
                 retention_years: int) -> None:
        self.session_factory = session_factory
        self.store = store
        self.retention_years = retention_years

    def open_events(self) -> list[tuple[EventView, float]]:
        """Every event still open, with its severity (to continue them after a restart)."""
        with session_scope(self.session_factory) as db:
            rows = db.scalars(select(Event).where(Event.ended_at.is_(None)).order_by(Event.id))
            return [(event_view(row), row.severity) for row in rows]

    def record(self, transition: EventTransition) -> EventView | None:
        """Apply one transition; returns the event as it now stands (None if an update or
        close finds no open event, e.g. it was closed by hand meanwhile)."""
        with session_scope(self.session_factory) as db:
            if isinstance(transition, EventOpened):
                event = Event(camera_id=transition.camera_id, kind=transition.kind.value,
                              zone=transition.zone, started_at=from_epoch(transition.started_at),
                              updated_at=from_epoch(transition.at),
                              severity=transition.severity, peak=transition.peak,
                              explanation=transition.explanation)
                db.add(event)
                db.flush()
                return event_view(event)
            current = db.scalars(select(Event).where(
                Event.camera_id == transition.camera_id, Event.kind == transition.kind.value,
                Event.zone == transition.zone, Event.ended_at.is_(None))
                .order_by(Event.id.desc())).first()
            if current is None:
                return None
            current.updated_at = from_epoch(transition.at)
            if isinstance(transition, EventUpdated):
                # a fresh dict[str, object], the column's declared type (dict is invariant)
                current.peak, current.severity = {**transition.peak}, transition.severity
            else:
                current.ended_at = from_epoch(transition.at)
            return event_view(current)

    def store_snapshot(self, view: EventView, jpeg: bytes) -> EventView | None:
        """Store the event's snapshot under retention, then note it on the event; returns
        the event as it now stands, or None when there is no store or it failed (logged:
        the event matters more than its picture). The upload runs outside any database
        transaction, so a slow store never holds the database."""
        if self.store is None:
            return None
        key = snapshot_key(view.camera_id, view.started_at, view.id, view.kind)
        try:
            stored = self.store.put_locked(key, jpeg,
                                           retain_until(view.started_at, self.retention_years),
                                           content_type="image/jpeg")
        except StorageError as error:
            logger.warning("event snapshot not stored: %s", error, extra={"event": view.id})
            return None
        with session_scope(self.session_factory) as db:
            event = db.get(Event, view.id)
            if event is None:
                return None
            event.snapshot_key, event.snapshot_version = stored.key, stored.version_id
            return event_view(event)
