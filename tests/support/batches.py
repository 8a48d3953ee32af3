"""A migrated SQLite database with an organisation, its site, two rooms with a camera each,
and helpers to plan a batch through the services (tests of batches, rosters, lifecycle)."""

from __future__ import annotations

import functools
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from proctor.actor import Actor
from proctor.db.migrate import upgrade_database
from proctor.db.models import Camera, Room, Site
from proctor.db.organisations import Organisation, OrganisationKind, Region, RegionLevel
from proctor.db.session import create_db_engine, create_session_factory
from proctor.supervision import batches, roster_service
from proctor.supervision.records import Batch
from proctor.supervision.report.terms import Level, Mode

ADMIN = Actor.cli("admin")
ROSTER = ("身份,编号,姓名,座位\n考生,2026001,张三,A1\n考生,2026002,李四,A2\n"
          "考评员,KP-001,王五,\n监考员,,赵六,\n").encode()


@dataclass(frozen=True)
class World:
    """Ids of the rows every test starts from."""

    organisation: int
    site: int
    rooms: tuple[int, int]
    cameras: tuple[int, int]


_TEMPLATE = tempfile.TemporaryDirectory(prefix="proctor-batches-")  # removed at exit


@functools.cache
def _migrated() -> Path:
    """A database migrated once per test process; each test gets a copy (fast)."""
    path = Path(_TEMPLATE.name) / "template.db"
    upgrade_database(f"sqlite:///{path}")
    return path


@contextmanager
def database(tmp_path: Path) -> Iterator[Session]:
    """A session on a freshly migrated SQLite database."""
    target = tmp_path / "batches.db"
    shutil.copyfile(_migrated(), target)
    with opened(target) as session:
        yield session


@contextmanager
def opened(path: Path) -> Iterator[Session]:
    """A session on the SQLite database file ``path``; its engine is disposed after."""
    engine = create_db_engine(f"sqlite:///{path}")
    try:
        with create_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def build_world(db: Session, kind: OrganisationKind = OrganisationKind.ENTERPRISE,
                name: str = "厦门某某机械有限公司") -> World:
    """思明区 of 厦门市, an organisation of ``kind`` there, its site, two rooms, two cameras."""
    if db.get(Region, "350203") is None:
        db.add_all([Region(code="350000", name="福建省", level=RegionLevel.PROVINCE),
                    Region(code="350200", name="厦门市", level=RegionLevel.CITY,
                           parent_code="350000"),
                    Region(code="350203", name="思明区", level=RegionLevel.DISTRICT,
                           parent_code="350200")])
        db.flush()
    organisation = Organisation(name=name, kind=kind, region_code="350203")
    db.add(organisation)
    db.flush()
    site = Site(name=f"{name}考点", organisation_id=organisation.id)
    db.add(site)
    db.flush()
    rooms = [Room(site_id=site.id, name=f"第{i}考场") for i in (1, 2)]
    db.add_all(rooms)
    db.flush()
    cameras = [Camera(room_id=room.id, name="前") for room in rooms]
    db.add_all(cameras)
    db.commit()
    return World(organisation.id, site.id, (rooms[0].id, rooms[1].id),
                 (cameras[0].id, cameras[1].id))


def at(text: str) -> datetime:
    """A China time ``YYYY-MM-DD HH:MM`` as an aware UTC datetime."""
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)


def planned_batch(db: Session, world: World, start: str = "2026-03-02 09:00",
                  end: str = "2026-03-02 11:00", roster: bytes | None = ROSTER) -> Batch:
    """A draft batch with one session in the first room, its roster imported."""
    batch = batches.create_batch(db, ADMIN, world.organisation, "车工", "6-18-01-01",
                                 Level.FOUR, Mode.PRACTICAL)
    session = batches.add_session(db, ADMIN, batch.id, "第一场", at(start), at(end))
    room = batches.add_room(db, ADMIN, session.id, world.rooms[0], 30)
    if roster is not None:
        roster_service.import_roster(db, ADMIN, room.id, roster)
    db.commit()
    return batch
