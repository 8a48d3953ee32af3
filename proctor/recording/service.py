"""The recording side of the server, present only when an object store is configured."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from proctor.recording.archive import Archive
from proctor.recording.ingest import SegmentIngest
from proctor.recording.store import ObjectStore


@dataclass(frozen=True)
class Recording:
    """Segment ingest and archive reads over one object store."""

    store: ObjectStore
    ingest: SegmentIngest
    archive: Archive

    @classmethod
    def build(cls, store: ObjectStore, session_factory: sessionmaker[Session],
              retention_years: int, clip_cache: Path, clip_cache_bytes: int) -> Recording:
        """Wire the services to ``store``."""
        return cls(store, SegmentIngest(store, session_factory, retention_years),
                   Archive(store, clip_cache, clip_cache_bytes))
