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
from proctor.recording.archive import MAX_CLIP_MS
from proctor.recording.retention import retain_until
from proctor.recording.store import ObjectStore, StorageError
from proctor.vision.rules import DESCRIPTIONS, EventKind, Transition

logger = logging.getLogger(__name__)
CLIP_ROLL_S = 10
OPEN_EVENT_CLIP_S = 30


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
    clip_url: str  # the recording around the event (users who may view the archive)


def event_view(event: Event) -> EventView:
    """The API view of an event row."""
    kind = EventKind(event.kind)
    return EventView(id=event.id, camera_id=event.camera_id, kind=kind, zone=event.zone,
                     description=DESCRIPTIONS[kind], started_at=event.started_at,
                     ended_at=event.ended_at, peak=event.peak, explanation=event.explanation,
                     snapshot_url=f"/api/events/{event.id}/snapshot.jpg"
                     if event.snapshot_key else None,
                     clip_url=clip_url(event.camera_id, event.started_at, event.ended_at))


def clip_url(camera_id: int, started_at: datetime, ended_at: datetime | None) -> str:
    """The archive clip of an event with ``CLIP_ROLL_S`` before and after; for an event
    still open, its first ``OPEN_EVENT_CLIP_S`` (the onset is what a reviewer needs)."""
    start = int(started_at.timestamp() * 1000)
    end = int(ended_at.timestamp() * 1000) if ended_at is not None \
        else start + OPEN_EVENT_CLIP_S * 1000
    end = min(max(end, start + 1), start + MAX_CLIP_MS - 2 * CLIP_ROLL_S * 1000)
    return (f"/api/cameras/{camera_id}/clip.mp4?from={start}&to={end}"
            f"&pre={CLIP_ROLL_S}&post={CLIP_ROLL_S}")


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

    def record(self, camera_id: int, transition: Transition, severity: float,
               explanation: dict[str, Any]) -> EventView | None:
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
                return event_view(event)
            current = db.scalars(select(Event).where(
                Event.camera_id == camera_id, Event.kind == transition.kind.value,
                Event.zone == transition.zone, Event.ended_at.is_(None))
                .order_by(Event.id.desc())).first()
            if current is None:
                return None
            event = current
            event.updated_at = from_epoch(transition.at)
            if transition.action == "update":
                event.peak, event.severity = transition.peak, severity
            else:
                event.ended_at = from_epoch(transition.at)
            return event_view(event)

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
