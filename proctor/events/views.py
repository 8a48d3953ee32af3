"""How an event is shown: the API's and the live alerts' view of an event row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from proctor.db.models import Event
from proctor.recording.archive import MAX_CLIP_MS
from proctor.vision.kinds import EventKind

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
    peak_count: int | None = Field(description=(
        "people counted at the event's worst sample so far (in its zone for a seat or the "
        "invigilator zone, in the room for a headcount event): a past value that stays "
        "until the event closes, not the camera's current count (CameraMessage.people)"))
    peak_expected: int | None = Field(description=(
        "the headcount expected at that same worst sample (headcount events; else null)"))
    peak: dict[str, Any] = Field(description=(
        "every measurement of the worst sample by name (count, expected, phones, "
        "confidence, this_camera); peak_count and peak_expected are its count and expected"))
    explanation: dict[str, Any]
    snapshot_url: str | None
    clip_url: str  # the recording around the event (users who may view the archive)


def event_view(event: Event) -> EventView:
    """The API view of an event row."""
    kind = EventKind(event.kind)
    return EventView(id=event.id, camera_id=event.camera_id, kind=kind, zone=event.zone,
                     description=kind.spec.description, started_at=event.started_at,
                     ended_at=event.ended_at, peak_count=_whole(event.peak.get("count")),
                     peak_expected=_whole(event.peak.get("expected")), peak=event.peak,
                     explanation=event.explanation,
                     snapshot_url=f"/api/events/{event.id}/snapshot.jpg"
                     if event.snapshot_key else None,
                     clip_url=clip_url(event.camera_id, event.started_at, event.ended_at))


def _whole(value: object) -> int | None:
    """``value`` if it is a whole number (a count), else ``None``."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def clip_url(camera_id: int, started_at: datetime, ended_at: datetime | None) -> str:
    """The archive clip of an event with ``CLIP_ROLL_S`` before and after; for an event
    still open, its first ``OPEN_EVENT_CLIP_S`` (the onset is what a reviewer needs)."""
    start = int(started_at.timestamp() * 1000)
    end = int(ended_at.timestamp() * 1000) if ended_at is not None \
        else start + OPEN_EVENT_CLIP_S * 1000
    end = min(max(end, start + 1), start + MAX_CLIP_MS - 2 * CLIP_ROLL_S * 1000)
    return (f"/api/cameras/{camera_id}/clip.mp4?from={start}&to={end}"
            f"&pre={CLIP_ROLL_S}&post={CLIP_ROLL_S}")
