"""Footage the index records but the real store (SeaweedFS with Object Lock) does not give
back as recorded: a segment whose object version was never stored, and one whose stored
version holds other bytes. The store cannot be made to lose a locked version (that is the
point of it), so the index is written to disagree with it instead.

The coverage check names both as recorded but unreadable, clips and thumbnails refuse with a
storage error naming the segment, and ``archive verify`` reports both breaks, not the first.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from minio import Minio
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from proctor.db.models import Segment
from proctor.recording.archive import Archive
from proctor.recording.chain import GENESIS, link_hash
from proctor.recording.reports import unreadable_segments
from proctor.recording.store import ObjectStore, StorageError
from proctor.recording.verify import verify_camera
from proctor_dev.seaweed import EmbeddedSeaweedFS

T0 = 1_795_000_000_000
CAMERA = 7
SECOND = 10_000  # each segment is 10 s
_buckets = itertools.count()


@dataclass
class World:
    db: Session
    store: ObjectStore
    archive: Archive
    segments: list[Segment]


def _index(db: Session, stored: list[tuple[bytes, str, str]]) -> list[Segment]:
    """Chained index rows for ``(recorded bytes, key, version)`` one after another."""
    rows, prev = [], GENESIS
    for n, (data, key, version) in enumerate(stored):
        start, sha = T0 + n * SECOND, hashlib.sha256(data).hexdigest()
        chain = link_hash(prev, CAMERA, start, start + SECOND, sha, key, version)
        rows.append(Segment(camera_id=CAMERA, start_ms=start, end_ms=start + SECOND,
                            agent_start_ms=start, clock_offset_ms=0.0, size=len(data),
                            sha256=sha, object_key=key, version_id=version,
                            retain_until=datetime(2032, 1, 1, tzinfo=UTC), prev_hash=prev,
                            chain_hash=chain))
        prev = chain
    db.add_all(rows)
    db.commit()
    return rows


@pytest.fixture
def world(seaweed: EmbeddedSeaweedFS, tmp_path: Path) -> Iterator[World]:
    """Three recorded segments: the first stored intact, the second never stored, the third
    stored with other bytes than the index recorded."""
    client = Minio(seaweed.endpoint, seaweed.access_key, seaweed.secret_key, secure=False,
                   region="us-east-1")
    store = ObjectStore(client, f"missing-{next(_buckets)}")
    store.ensure_bucket()
    until = datetime.now(UTC) + timedelta(days=1)
    intact = store.put_locked("cameras/7/1.ts", b"first segment", until)
    changed = store.put_locked("cameras/7/3.ts", b"not what was recorded", until)
    engine = create_engine("sqlite://")
    Segment.__table__.create(engine)
    db = Session(engine)
    segments = _index(db, [(b"first segment", intact.key, intact.version_id),
                           (b"second segment", "cameras/7/2.ts", "never-stored"),
                           (b"third segment", changed.key, changed.version_id)])
    yield World(db, store, Archive(store, tmp_path / "clips", 1 << 20), segments)
    db.close()


def test_coverage_names_each_segment_recorded_but_unreadable(world: World) -> None:
    found = unreadable_segments(world.db, world.store, CAMERA, T0, T0 + 3 * SECOND)
    _, second, third = world.segments
    assert [(item.segment_id, item.start_ms, item.end_ms) for item in found] == [
        (second.id, second.start_ms, second.end_ms), (third.id, third.start_ms, third.end_ms)]
    assert found[0].reason.startswith("recorded but unreadable: the store does not have "
                                      "version never-stored (")
    assert found[1].reason == ("recorded but unreadable: the store holds 21 bytes, the index "
                               "says 13")
    assert unreadable_segments(world.db, world.store, CAMERA, T0, T0 + SECOND) == []


def test_a_clip_or_thumbnail_of_missing_footage_names_the_segment(world: World) -> None:
    second = world.segments[1]
    with pytest.raises(StorageError) as refused:
        world.archive.clip(world.db, CAMERA, second.start_ms, second.end_ms)
    assert (f"segment {second.id} of camera {CAMERA} (start {second.start_ms}, "
            "cameras/7/2.ts version never-stored) is recorded but cannot be read from the "
            "store") in str(refused.value)
    with pytest.raises(StorageError, match=f"segment {second.id} of camera {CAMERA}"):
        world.archive.thumbnail(world.db, CAMERA, second.start_ms + 1_000)


def test_verify_reports_every_break(world: World) -> None:
    result = verify_camera(world.db, world.store, CAMERA)
    _, second, third = world.segments
    assert (result.segments, result.ok) == (1, False)
    assert len(result.problems) == 2
    assert result.problems[0].startswith(f"segment {second.id} (start {second.start_ms}) "
                                         "cannot be read from the store: ")
    assert result.problems[1].startswith(f"segment {third.id} (start {third.start_ms}): "
                                         "stored bytes hash to ")
