"""Server ingest of recorded segments: verify, store under Object Lock, chain, index.

Per camera, segments are chained in the order they are accepted. A per-camera lock keeps
that order in this process, and the unique ``(camera_id, prev_hash)`` constraint refuses a
fork if several server processes ever raced. If the store accepts an object and the index
insert then fails, the stored version stays (locked, harmless) and the agent's retry stores
and indexes it again: footage is never lost, at worst stored twice.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from proctor.db.models import Segment
from proctor.db.session import session_scope
from proctor.errors import Conflict, InvalidInput
from proctor.recording.chain import GENESIS, link_hash
from proctor.recording.legal_hold import hold_if_covered
from proctor.recording.probe import probe_segment
from proctor.recording.retention import retain_until
from proctor.recording.store import FOOTAGE_PREFIX, ObjectStore


@dataclass(frozen=True)
class SegmentUpload:
    """One upload as the agent sent it (times on the agent's clock)."""

    camera_id: int
    agent_start_ms: int
    agent_end_ms: int
    clock_offset_ms: float
    claimed_sha256: str
    data: bytes


MAX_SEGMENT_MS = 3_600_000
MAX_BACKLOG_MS = 366 * 24 * 3_600_000  # a site may be offline for long, but not a year
MAX_AHEAD_MS = 5 * 60_000


def check_times(upload: SegmentUpload) -> None:
    """Refuse times that cannot be right (they would misplace footage or its retention)."""
    if not math.isfinite(upload.clock_offset_ms):
        raise InvalidInput("X-Clock-Offset-Ms must be a finite number of milliseconds")
    if not 0 < upload.agent_end_ms - upload.agent_start_ms <= MAX_SEGMENT_MS:
        raise InvalidInput("segment end must be after its start, and a segment at most 1 h long")
    start = upload.agent_start_ms + upload.clock_offset_ms
    now = time.time() * 1000
    if not now - MAX_BACKLOG_MS <= start <= now + MAX_AHEAD_MS:
        raise InvalidInput(f"segment start {round(start)} (server clock) is not within the last "
                           "year: check the agent's clock and its measured offset")


def object_key(camera_id: int, start_ms: int) -> str:
    """``cameras/<id>/<yyyy>/<mm>/<dd>/<start_ms>.ts`` (UTC date of the segment start)."""
    day = datetime.fromtimestamp(start_ms / 1000, UTC)
    return f"{FOOTAGE_PREFIX}{camera_id}/{day:%Y/%m/%d}/{start_ms}.ts"


class SegmentIngest:
    """Accepts segments into the store and the index."""

    def __init__(self, store: ObjectStore, session_factory: sessionmaker[Session],
                 retention_years: int) -> None:
        self.store = store
        self._sessions = session_factory
        self._retention_years = retention_years
        self._locks: defaultdict[int, threading.Lock] = defaultdict(threading.Lock)

    def ingest(self, upload: SegmentUpload) -> tuple[Segment, bool]:
        """Store and index ``upload``; returns the row and whether it is new (else a re-upload)."""
        actual = hashlib.sha256(upload.data).hexdigest()
        if actual != upload.claimed_sha256:
            raise InvalidInput(f"body sha256 {actual} does not match the declared "
                               f"{upload.claimed_sha256}: the upload was corrupted, send it again")
        check_times(upload)
        probe_segment(upload.data)
        with self._locks[upload.camera_id], session_scope(self._sessions) as db:
            existing = db.scalar(select(Segment).where(
                Segment.camera_id == upload.camera_id,
                Segment.agent_start_ms == upload.agent_start_ms))
            if existing is not None and existing.sha256 != actual:
                raise Conflict(f"camera {upload.camera_id} already has a different segment "
                               f"starting at {upload.agent_start_ms} (sha256 {existing.sha256})")
            segment = existing or self._store_and_chain(db, upload, actual)
        # only once the segment is committed: a legal hold committed meanwhile is seen here,
        # and one placed from now on sees the segment (see proctor.recording.legal_hold);
        # a re-upload checks again, in case the first attempt failed right here
        with session_scope(self._sessions) as db:
            hold_if_covered(db, self.store, segment)
        return segment, existing is None

    def _store_and_chain(self, db: Session, upload: SegmentUpload, sha256: str) -> Segment:
        offset = upload.clock_offset_ms
        start_ms = round(upload.agent_start_ms + offset)
        end_ms = round(upload.agent_end_ms + offset)
        # anchored at the later of recording and receipt: a wrong clock can never make the
        # store keep footage for less than the required years from now
        anchor = max(datetime.fromtimestamp(start_ms / 1000, UTC), datetime.now(UTC))
        until = retain_until(anchor, self._retention_years)
        key = object_key(upload.camera_id, start_ms)
        stored = self.store.put_locked(key, upload.data, until, "video/mp2t")
        last = db.scalar(select(Segment).where(Segment.camera_id == upload.camera_id)
                         .order_by(Segment.id.desc()).limit(1))
        prev = last.chain_hash if last else GENESIS
        segment = Segment(
            camera_id=upload.camera_id, start_ms=start_ms, end_ms=end_ms,
            agent_start_ms=upload.agent_start_ms, clock_offset_ms=offset, size=len(upload.data),
            sha256=sha256, object_key=key, version_id=stored.version_id, retain_until=until,
            prev_hash=prev,
            chain_hash=link_hash(prev, upload.camera_id, start_ms, end_ms, sha256, key,
                                 stored.version_id),
        )
        db.add(segment)
        db.flush()
        return segment
