"""Events in the database, their snapshots in the object store, and how they are shown.

An event row is written when a rule opens, updated when it gets worse and closed when the
condition ends, so the log survives a restart and the analyzer can carry on from it. The
snapshot JPEG is stored under COMPLIANCE retention like the footage it comes from.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from proctor.db.models import Event
from proctor.db.session import session_scope
from proctor.recording.retention import retain_until
from proctor.recording.store import ObjectStore, StorageError
from proctor.vision.rules import DESCRIPTIONS, EventKind, Transition

logger = logging.getLogger(__name__)


class EventView(BaseModel):
    """An event as the API and the live alerts show it."""

    id: int
    camera_id: int
    kind: EventKind
    zone: str
    description: str
    started_at: datetime
    ended_at: datetime | None
    peak: dict[str, Any]
    explanation: dict[str, Any]
    snapshot_url: str | None


def event_view(event: Event) -> EventView:
    """The API view of an event row."""
    kind = EventKind(event.kind)
    return EventView(id=event.id, camera_id=event.camera_id, kind=kind, zone=event.zone,
                     description=DESCRIPTIONS[kind], started_at=event.started_at,
                     ended_at=event.ended_at, peak=event.peak, explanation=event.explanation,
                     snapshot_url=f"/api/events/{event.id}/snapshot.jpg"
                     if event.snapshot_key else None)


def from_epoch(seconds: float) -> datetime:
    """An aware UTC datetime from epoch seconds."""
    return datetime.fromtimestamp(seconds, UTC)


def snapshot_key(event: Event) -> str:
    """Where an event's snapshot is stored: by camera and day, like footage."""
    return (f"events/camera-{event.camera_id}/{event.started_at:%Y/%m/%d}/"
            f"event-{event.id}-{event.kind}.jpg")


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

    def record(self, camera_id: int, transition: Transition, severity: float,
               explanation: dict[str, Any], snapshot_jpeg: bytes | None) -> EventView | None:
        """Apply one transition; returns the event as it now stands (None if an update or
        close finds no open event, e.g. it was closed by hand meanwhile)."""
        with session_scope(self.session_factory) as db:
            if transition.action == "open":
                event = Event(camera_id=camera_id, kind=transition.kind.value,
                              zone=transition.zone, started_at=from_epoch(transition.started_at),
                              updated_at=from_epoch(transition.at), severity=severity,
                              peak=transition.peak, explanation=explanation)
                db.add(event)
                db.flush()
                if snapshot_jpeg is not None:
                    self._store_snapshot(event, snapshot_jpeg)
                return event_view(event)
            current = db.scalars(select(Event).where(
                Event.camera_id == camera_id, Event.kind == transition.kind.value,
                Event.zone == transition.zone, Event.ended_at.is_(None))).first()
            if current is None:
                return None
            event = current
            event.updated_at = from_epoch(transition.at)
            if transition.action == "update":
                event.peak, event.severity = transition.peak, severity
            else:
                event.ended_at = from_epoch(transition.at)
            return event_view(event)

    def _store_snapshot(self, event: Event, jpeg: bytes) -> None:
        if self.store is None:
            return
        key = snapshot_key(event)
        try:
            stored = self.store.put_locked(key, jpeg, retain_until(event.started_at,
                                                                   self.retention_years),
                                           content_type="image/jpeg")
        except StorageError as error:  # the event matters more than its picture
            logger.warning("event snapshot not stored: %s", error, extra={"event": event.id})
            return
        event.snapshot_key, event.snapshot_version = stored.key, stored.version_id
