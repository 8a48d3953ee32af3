"""The recording side of the server, present only when an object store is configured."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from proctor.recording.archive import Archive
from proctor.recording.ingest import SegmentIngest
from proctor.recording.settings import RecordingSettings
from proctor.recording.signing import EvidenceSigner
from proctor.recording.store import ObjectStore


@dataclass(frozen=True)
class Recording:
    """Segment ingest, archive reads and evidence signing over one object store."""

    store: ObjectStore
    ingest: SegmentIngest
    archive: Archive
    signer: EvidenceSigner

    @classmethod
    def build(cls, store: ObjectStore, session_factory: sessionmaker[Session],
              settings: RecordingSettings) -> Recording:
        """Wire the services to ``store``."""
        return cls(store, SegmentIngest(store, session_factory, settings.retention_years),
                   Archive(store, settings.clip_cache_dir, settings.clip_cache_bytes),
                   # created on first start, unless a key was configured: that one must exist
                   EvidenceSigner(settings.evidence_signing_key_path,
                                  create=settings.evidence_signing_key is None))
