"""What the recording side reads and is told, for the API: a camera's coverage of a window,
and the status an edge agent reports about its spool and cameras."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from minio.error import S3Error
from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor.db.base import utcnow
from proctor.db.models import Device, Segment
from proctor.errors import InvalidInput
from proctor.recording.coverage import Coverage, coverage
from proctor.recording.store import ObjectStore

SEEN_RESOLUTION = timedelta(seconds=30)  # a device's last_seen_at is at most this old

logger = logging.getLogger(__name__)


def camera_coverage(db: Session, camera_id: int, start_ms: int, end_ms: int) -> Coverage:
    """The recorded intervals and gaps of the camera within ``[start_ms, end_ms)``;
    :class:`InvalidInput` for an empty window."""
    if end_ms <= start_ms:
        raise InvalidInput("'to' must be after 'from'")
    spans = db.execute(select(Segment.start_ms, Segment.end_ms).where(
        Segment.camera_id == camera_id, Segment.end_ms > start_ms, Segment.start_ms < end_ms))
    return coverage([(start, end) for start, end in spans], start_ms, end_ms)


@dataclass(frozen=True)
class UnreadableSegment:
    """A segment the index records but the store cannot give back as recorded."""

    segment_id: int
    start_ms: int
    end_ms: int
    reason: str


def unreadable_segments(db: Session, store: ObjectStore, camera_id: int, start_ms: int,
                        end_ms: int) -> list[UnreadableSegment]:
    """The camera's segments in ``[start_ms, end_ms)`` that are recorded but unreadable: the
    store lacks their version or holds another size (asked per segment, nothing read; a
    full check of the bytes is ``proctor archive verify``)."""
    segments = db.scalars(select(Segment).where(
        Segment.camera_id == camera_id, Segment.end_ms > start_ms, Segment.start_ms < end_ms)
        .order_by(Segment.start_ms))
    found = []
    for segment in segments:
        try:
            size = store.size(segment.object_key, segment.version_id)
        except S3Error as error:
            reason = f"the store does not have version {segment.version_id} ({error.code})"
        else:
            if size == segment.size:
                continue
            reason = f"the store holds {size} bytes, the index says {segment.size}"
        found.append(UnreadableSegment(segment.id, segment.start_ms, segment.end_ms,
                                       f"recorded but unreadable: {reason}"))
    return found


def note_agent_status(device: Device, status: dict[str, object], alarm: str | None) -> None:
    """Keep the agent's latest report on its device row (committed with the caller's
    transaction); an alarm (e.g. a spool about to overflow) is logged loudly."""
    if alarm:
        logger.error("edge device alarm: %s", alarm, extra={"device": device.id})
    device.status = status
    device.status_at = device.last_seen_at = utcnow()


def note_agent_seen(device: Device) -> None:
    """Mark the device as seen now (it just published), unless it was within
    :data:`SEEN_RESOLUTION`: a device publishing its 40 cameras at once wrote its row 40
    times, each write waiting for the previous one's row lock (bench fleet)."""
    now = utcnow()
    if device.last_seen_at is None or now - device.last_seen_at >= SEEN_RESOLUTION:
        device.last_seen_at = now
