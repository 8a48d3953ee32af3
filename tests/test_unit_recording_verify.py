"""``proctor archive verify`` as a function over an index and a store held in memory: a broken
link stops before any byte is read, every segment whose stored bytes changed or vanished is
named (the rest are still read), and a window limits which bytes are re-read but never which
links are checked."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import cast

import pytest
from minio.error import S3Error
from sqlalchemy import create_engine, update
from sqlalchemy.orm import Session
from urllib3 import HTTPResponse

from proctor.db.models import Segment
from proctor.recording.chain import GENESIS, link_hash
from proctor.recording.store import ObjectStore
from proctor.recording.verify import verify_camera

T0 = 1_795_000_000_000
CAMERA = 7


class MemoryStore:
    """Object versions in a dict; a missing one fails as S3 does."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}
        self.reads: list[str] = []

    def read(self, key: str, version_id: str) -> bytes:
        self.reads.append(key)
        if (key, version_id) not in self.objects:
            raise S3Error(HTTPResponse(status=404), "NoSuchVersion", "gone", key, "r", "h")
        return self.objects[key, version_id]


@pytest.fixture
def db() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    Segment.__table__.create(engine)  # the index alone: verify reads nothing else
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


def record(db: Session, store: MemoryStore, count: int, camera_id: int = CAMERA) -> None:
    """``count`` chained 10 s segments of ``camera_id``, in the index and the store."""
    prev = GENESIS
    for index in range(count):
        start, data = T0 + index * 10_000, f"camera {camera_id} segment {index}".encode()
        key, digest = f"cameras/{camera_id}/{start}.ts", hashlib.sha256(data).hexdigest()
        chain_hash = link_hash(prev, camera_id, start, start + 10_000, digest, key, "v1")
        db.add(Segment(camera_id=camera_id, start_ms=start, end_ms=start + 10_000,
                       agent_start_ms=start, clock_offset_ms=0.0, size=len(data),
                       sha256=digest, object_key=key, version_id="v1",
                       retain_until=datetime(2032, 1, 1, tzinfo=UTC), prev_hash=prev,
                       chain_hash=chain_hash))
        store.objects[key, "v1"] = data
        prev = chain_hash
    db.commit()


def verify(db: Session, store: MemoryStore, start_ms: int | None = None,
           end_ms: int | None = None, camera_id: int = CAMERA) -> tuple[int, int, str | None]:
    result = verify_camera(db, cast(ObjectStore, store), camera_id, start_ms, end_ms)
    assert result.camera_id == camera_id
    assert result.ok is (result.problem is None)
    return result.segments, result.bytes_read, result.problem


def segment_size(index: int) -> int:
    return len(f"camera {CAMERA} segment {index}".encode())


def test_an_intact_camera_reads_every_segment(db: Session, store: MemoryStore) -> None:
    record(db, store, 4)
    record(db, store, 2, camera_id=8)
    assert verify(db, store) == (4, sum(map(segment_size, range(4))), None)
    assert verify(db, store, camera_id=8)[0] == 2


def test_a_camera_without_segments_holds(db: Session, store: MemoryStore) -> None:
    assert verify(db, store) == (0, 0, None)


@pytest.mark.parametrize(("window", "indices"), [
    ((T0 + 10_000, T0 + 30_000), [1, 2]),  # touching edges are outside
    ((T0 + 10_001, None), [1, 2, 3]),
    ((None, T0 + 1), [0]),
    ((T0 + 40_000, None), []),
])
def test_a_window_reads_only_the_segments_it_overlaps(
        db: Session, store: MemoryStore, window: tuple[int | None, int | None],
        indices: list[int]) -> None:
    record(db, store, 4)
    assert verify(db, store, *window) == (len(indices), sum(map(segment_size, indices)), None)
    assert store.reads == [f"cameras/{CAMERA}/{T0 + i * 10_000}.ts" for i in indices]


def test_a_broken_link_outside_the_window_is_still_found_before_reading(
        db: Session, store: MemoryStore) -> None:
    record(db, store, 4)
    db.execute(update(Segment).where(Segment.start_ms == T0 + 10_000).values(size=1,
                                                                             version_id="v2"))
    segments, read, problem = verify(db, store, T0 + 30_000, None)
    assert (segments, read, store.reads) == (1, 0, [])
    assert problem is not None
    assert problem.startswith(f"chain broken at segment 2 (start {T0 + 10_000}): ")


def test_changed_stored_bytes_are_named_with_both_hashes(db: Session,
                                                         store: MemoryStore) -> None:
    record(db, store, 3)
    key = f"cameras/{CAMERA}/{T0 + 20_000}.ts"
    store.objects[key, "v1"] = b"replaced"
    segments, read, problem = verify(db, store)
    assert (segments, read) == (2, segment_size(0) + segment_size(1))
    assert problem == (f"segment 3 (start {T0 + 20_000}): stored bytes hash to "
                       f"{hashlib.sha256(b'replaced').hexdigest()}, the index says "
                       f"{hashlib.sha256(b'camera 7 segment 2').hexdigest()}")


def test_a_segment_missing_from_the_store_is_named_with_the_store_error(
        db: Session, store: MemoryStore) -> None:
    record(db, store, 3)
    del store.objects[f"cameras/{CAMERA}/{T0}.ts", "v1"]
    assert verify(db, store) == (2, segment_size(1) + segment_size(2),
                                 f"segment 1 (start {T0}) cannot be read from the store: "
                                 "NoSuchVersion")


def test_every_break_in_the_store_is_reported_not_just_the_first(
        db: Session, store: MemoryStore) -> None:
    record(db, store, 4)
    del store.objects[f"cameras/{CAMERA}/{T0}.ts", "v1"]
    store.objects[f"cameras/{CAMERA}/{T0 + 20_000}.ts", "v1"] = b"replaced"
    del store.objects[f"cameras/{CAMERA}/{T0 + 30_000}.ts", "v1"]
    result = verify_camera(db, cast(ObjectStore, store), CAMERA)
    assert (result.ok, result.segments, result.bytes_read) == (False, 1, segment_size(1))
    assert [problem.split(")")[0] for problem in result.problems] == [
        f"segment 1 (start {T0}", f"segment 3 (start {T0 + 20_000}",
        f"segment 4 (start {T0 + 30_000}"]
