"""Reading the archive: the segments covering a window, loaded from the store, as clips."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from minio.error import S3Error
from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor.db.models import Segment
from proctor.errors import NotFound
from proctor.private_file import private_dir
from proctor.recording import clip_cache
from proctor.recording.clips import SegmentMedia, assemble_clip, thumbnail_jpeg
from proctor.recording.store import ObjectStore, StorageError

MAX_CLIP_MS = 4 * 3600 * 1000  # the longest clip or evidence window, pre/post-roll included


def covering_segments(db: Session, camera_id: int, start_ms: int, end_ms: int) -> list[Segment]:
    """The camera's segments overlapping ``[start_ms, end_ms)``, in time order."""
    return list(db.scalars(select(Segment).where(
        Segment.camera_id == camera_id, Segment.end_ms > start_ms, Segment.start_ms < end_ms,
    ).order_by(Segment.start_ms)))


class Archive:
    """Builds clips and thumbnails from the store, caching clips on local disk within
    ``cache_limit_bytes`` (see :mod:`clip_cache`)."""

    def __init__(self, store: ObjectStore, cache_dir: Path, cache_limit_bytes: int) -> None:
        self.store = store
        self.cache_dir = cache_dir
        self.cache_limit_bytes = cache_limit_bytes

    def read(self, segment: Segment) -> bytes:
        """The segment's stored bytes; :class:`StorageError` (503) naming the segment when the
        store does not have them (the index says recorded, the store disagrees)."""
        try:
            return self.store.read(segment.object_key, segment.version_id)
        except S3Error as error:
            raise StorageError(
                f"segment {segment.id} of camera {segment.camera_id} (start {segment.start_ms},"
                f" {segment.object_key} version {segment.version_id}) is recorded but cannot be "
                f"read from the store ({error.code}): run `proctor archive verify` and report "
                "it") from error

    def _media(self, segments: list[Segment]) -> Iterator[SegmentMedia]:
        for segment in segments:
            yield SegmentMedia(segment.start_ms, self.read(segment))

    def clip(self, db: Session, camera_id: int, start_ms: int, end_ms: int) -> Path:
        """An MP4 of the window; cached under a name derived from the exact segments used."""
        segments = covering_segments(db, camera_id, start_ms, end_ms)
        if not segments:
            raise NotFound(f"camera {camera_id} has no recording between {start_ms} and {end_ms}")
        fingerprint = hashlib.sha256("|".join(
            [str(camera_id), str(start_ms), str(end_ms), *(s.chain_hash for s in segments)]
        ).encode()).hexdigest()[:32]
        path = self.cache_dir / f"camera{camera_id}-{start_ms}-{end_ms}-{fingerprint}.mp4"
        if path.exists():
            clip_cache.touch(path)
        else:
            private_dir(self.cache_dir)
            assemble_clip(self._media(segments), start_ms, end_ms, path)
            clip_cache.evict(self.cache_dir, self.cache_limit_bytes, keep=path)
        return path

    def thumbnail(self, db: Session, camera_id: int, at_ms: int) -> bytes:
        """A JPEG of the camera at ``at_ms``."""
        segments = covering_segments(db, camera_id, at_ms, at_ms + 1)
        if not segments:
            raise NotFound(f"camera {camera_id} has no recording at {at_ms}")
        return thumbnail_jpeg(next(self._media(segments[-1:])), at_ms)
