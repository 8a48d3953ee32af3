"""Legal holds against a migrated SQLite database and a store kept in memory: a hold is
recorded and audited before the store is touched, holds overlap correctly at their edges, a
lift releases only what no other hold covers, a late segment inside a hold is held, and a
store failure leaves the hold recorded with a message saying how it gets repaired."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import timedelta
from typing import cast

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor.actor import Actor
from proctor.db.base import utcnow
from proctor.db.migrate import upgrade_database
from proctor.db.models import AuditEntry, Camera, LegalHold, Room, Segment, Site
from proctor.db.session import create_db_engine, create_session_factory, session_scope
from proctor.errors import Conflict, InvalidInput
from proctor.recording.legal_hold import (
    hold_if_covered,
    lift_hold,
    place_hold,
    reconcile,
    reconcile_recent,
)
from proctor.recording.store import ObjectStore, StorageError

T0 = 1_795_000_000_000
ADMIN = Actor.user(1)
_names = (f"考点 {n}" for n in itertools.count(1))


class HoldStore:
    """The legal-hold flag of each object version; ``down`` makes every call fail."""

    def __init__(self) -> None:
        self.held: dict[str, bool] = {}
        self.down = False

    def set_legal_hold(self, key: str, version_id: str, on: bool) -> None:
        if self.down:
            raise StorageError("the object store is unreachable")
        self.held[key] = on


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('holds') / 'proctor.db'}"
    upgrade_database(url)
    return url


@pytest.fixture
def db(database: str) -> Iterator[Session]:
    engine = create_db_engine(database)
    with session_scope(create_session_factory(engine)) as session:
        yield session
    engine.dispose()


@pytest.fixture
def camera(db: Session) -> int:
    site = Site(name=next(_names))
    room = Room(site=site, name="第一考场")
    camera = Camera(room=room, name="前门")
    db.add_all([site, room, camera])
    db.commit()
    return camera.id


@pytest.fixture
def store() -> HoldStore:
    return HoldStore()


def add_segments(db: Session, camera_id: int, starts: range) -> list[str]:
    """10 s segments starting at ``T0 + s`` for each ``s`` in ``starts`` (ms); their keys."""
    keys = []
    for start in (T0 + s for s in starts):
        key = f"cameras/{camera_id}/{start}.ts"
        db.add(Segment(camera_id=camera_id, start_ms=start, end_ms=start + 10_000,
                       agent_start_ms=start, clock_offset_ms=0.0, size=1, sha256="0" * 64,
                       object_key=key, version_id="v1", retain_until=utcnow(),
                       prev_hash=f"{camera_id}-{start}", chain_hash=f"{camera_id}-{start}-c"))
        keys.append(key)
    db.commit()
    return keys


def place(db: Session, store: HoldStore, camera: int, from_s: int, to_s: int,
          reason: str = "complaint 2026-117") -> tuple[LegalHold, int]:
    return place_hold(db, cast(ObjectStore, store), camera, T0 + from_s * 1000,
                      T0 + to_s * 1000, reason, ADMIN)


def test_a_hold_is_audited_and_holds_exactly_the_overlapping_segments(
        db: Session, store: HoldStore, camera: int) -> None:
    keys = add_segments(db, camera, range(0, 50_000, 10_000))
    hold, held = place(db, store, camera, 10, 30)  # touches segment 0's end and 3's start
    assert held == 2
    assert store.held == {keys[1]: True, keys[2]: True}
    assert hold.placed_by == str(ADMIN)
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "archive.legal_hold",
                                               AuditEntry.target == f"camera:{camera}"))
    assert entry is not None and entry.detail["hold_id"] == hold.id
    assert entry.detail["reason"] == "complaint 2026-117"


@pytest.mark.parametrize(("from_s", "to_s"), [(10, 10), (20, 10)])
def test_an_empty_or_reversed_range_is_refused(db: Session, store: HoldStore, camera: int,
                                               from_s: int, to_s: int) -> None:
    with pytest.raises(InvalidInput, match="'to' must be after 'from'"):
        place(db, store, camera, from_s, to_s)
    assert db.scalar(select(LegalHold).where(LegalHold.camera_id == camera)) is None


def test_a_lift_releases_only_what_no_other_hold_covers(db: Session, store: HoldStore,
                                                        camera: int) -> None:
    keys = add_segments(db, camera, range(0, 40_000, 10_000))
    wide, _ = place(db, store, camera, 0, 40)
    place(db, store, camera, 15, 25, reason="another complaint")
    assert lift_hold(db, cast(ObjectStore, store), wide, Actor.user(2)) == 2
    assert store.held == {keys[0]: False, keys[1]: True, keys[2]: True, keys[3]: False}
    assert wide.lifted_by == "user:2" and wide.lifted_at is not None
    with pytest.raises(Conflict, match=f"legal hold {wide.id} was already lifted by user:2"):
        lift_hold(db, cast(ObjectStore, store), wide, ADMIN)


def test_a_segment_arriving_later_inside_a_hold_is_held(db: Session, store: HoldStore,
                                                        camera: int) -> None:
    place(db, store, camera, 100, 200)
    (inside,) = add_segments(db, camera, range(150_000, 150_001))
    (outside,) = add_segments(db, camera, range(200_000, 200_001))
    segments = {s.object_key: s for s in db.scalars(select(Segment).where(
        Segment.camera_id == camera))}
    assert hold_if_covered(db, cast(ObjectStore, store), segments[inside])
    assert not hold_if_covered(db, cast(ObjectStore, store), segments[outside])
    assert store.held == {inside: True}


def test_a_store_failure_keeps_the_hold_and_says_how_it_is_repaired(
        db: Session, store: HoldStore, camera: int) -> None:
    keys = add_segments(db, camera, range(0, 20_000, 10_000))
    store.down = True
    with pytest.raises(StorageError, match=r"legal hold \d+ is recorded, but the store could "
                                           r"not be updated \(the object store is unreachable"
                                           r"\): .*`proctor archive reconcile-holds`"):
        place(db, store, camera, 0, 20)
    assert db.scalar(select(LegalHold).where(LegalHold.camera_id == camera)) is not None
    store.down = False
    assert reconcile(db, cast(ObjectStore, store), camera, T0, T0 + 20_000) == (2, 0)
    assert store.held == dict.fromkeys(keys, True)


def test_the_periodic_repair_covers_active_and_recently_lifted_holds(
        db: Session, store: HoldStore, camera: int) -> None:
    keys = add_segments(db, camera, range(0, 30_000, 10_000))
    place(db, store, camera, 0, 10)
    lifted, _ = place(db, store, camera, 10, 20)
    old, _ = place(db, store, camera, 20, 30)
    lift_hold(db, cast(ObjectStore, store), lifted, ADMIN)
    lift_hold(db, cast(ObjectStore, store), old, ADMIN)
    old.lifted_at = utcnow() - timedelta(days=1)
    db.commit()
    store.held.clear()  # the store lost every flag
    reconcile_recent(db, cast(ObjectStore, store), utcnow() - timedelta(hours=2))
    # (the database is shared by this module's tests: other cameras' holds are repaired too)
    mine = {key: on for key, on in store.held.items() if key in keys}
    assert mine == {keys[0]: True, keys[1]: False}  # the old lift is not revisited
