"""``proctor archive verify``: re-read every stored segment and check its hash and chain link."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from minio.error import S3Error
from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor.db.models import Segment
from proctor.recording.chain import ChainRecord, first_break
from proctor.recording.store import ObjectStore


@dataclass(frozen=True)
class VerifyResult:
    """The outcome for one camera: how many segments were read intact, and every problem
    (a broken link stops before any byte is read; each unreadable or changed segment is
    named, and the rest are still read)."""

    camera_id: int
    segments: int
    bytes_read: int
    problems: tuple[str, ...] = ()

    @property
    def problem(self) -> str | None:
        """The first problem, if any."""
        return self.problems[0] if self.problems else None

    @property
    def ok(self) -> bool:
        """No broken hash or link."""
        return not self.problems


def _as_record(segment: Segment) -> ChainRecord:
    return ChainRecord(segment.camera_id, segment.start_ms, segment.end_ms, segment.sha256,
                       segment.object_key, segment.version_id, segment.prev_hash,
                       segment.chain_hash)


def verify_camera(db: Session, store: ObjectStore, camera_id: int,
                  start_ms: int | None = None, end_ms: int | None = None) -> VerifyResult:
    """Check the links of the camera's chain and the bytes of the segments in the window."""
    segments = list(db.scalars(select(Segment).where(Segment.camera_id == camera_id)
                               .order_by(Segment.id)))
    broken = first_break(_as_record(s) for s in segments)
    if broken is not None:
        segment = segments[broken.index]
        return VerifyResult(camera_id, broken.index, 0, (
            f"chain broken at segment {segment.id} (start {segment.start_ms}): "
            f"{broken.reason}",))
    checked, read, problems = 0, 0, []
    for segment in _in_window(segments, start_ms, end_ms):
        try:
            data = store.read(segment.object_key, segment.version_id)
        except S3Error as error:
            problems.append(f"segment {segment.id} (start {segment.start_ms}) cannot be read "
                            f"from the store: {error.code}")
            continue
        actual = hashlib.sha256(data).hexdigest()
        if actual != segment.sha256:
            problems.append(f"segment {segment.id} (start {segment.start_ms}): stored bytes "
                            f"hash to {actual}, the index says {segment.sha256}")
            continue
        checked, read = checked + 1, read + len(data)
    return VerifyResult(camera_id, checked, read, tuple(problems))


def _in_window(segments: list[Segment], start_ms: int | None,
               end_ms: int | None) -> Iterator[Segment]:
    for segment in segments:
        if (start_ms is None or segment.end_ms > start_ms) and (
                end_ms is None or segment.start_ms < end_ms):
            yield segment


