"""Regions, organisations, site attachment and region grants on a real (SQLite) database,
audited; and the scope they give, combined with site grants and the draw."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker
from support.drawn import (
    ADMIN,
    HULI,
    SIMING,
    XIAMEN,
    SessionPlan,
    drawn_batch,
    organisation,
    xiamen_regions,
)

from proctor import directory
from proctor.auth.access_changes import ACCESS_ROWS, watch_access_changes
from proctor.auth.scope import CameraPlace, Permission, load_scope
from proctor.db.migrate import upgrade_database
from proctor.db.models import AuditEntry, Role, User
from proctor.db.organisations import OrganisationKind, RegionLevel
from proctor.db.session import create_db_engine, create_session_factory, session_scope
from proctor.errors import Conflict, InvalidInput, NotFound
from proctor.organisations.grants import grant_region, region_grants, revoke_region
from proctor.organisations.organisations import (
    OrganisationChanges,
    attach_site,
    create_organisation,
    update_organisation,
)
from proctor.organisations.regions import create_region, list_regions
from proctor.supervision.assignment_scope import ASSIGNMENT_ACCESS_ROWS, assignment_grants
from proctor.supervision.oversight import Assignment

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
HOUR, MARGIN = timedelta(hours=1), timedelta(minutes=30)
LIVE, ARCHIVE = Permission.WATCH_LIVE, Permission.VIEW_ARCHIVE


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated database, copied for each test (migrating takes seconds)."""
    path = tmp_path_factory.mktemp("migrated") / "directory.db"
    upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture
def factory(migrated: Path, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    path = tmp_path / "directory.db"
    shutil.copyfile(migrated, path)
    engine = create_db_engine(f"sqlite:///{path}")
    yield create_session_factory(engine)
    engine.dispose()


@pytest.fixture
def db(factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_scope(factory) as session:
        xiamen_regions(session)
        yield session


def actions(db: Session) -> list[str]:
    return list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def supervisor(db: Session, name: str = "sup", active: bool = True) -> User:
    user = directory.create_user(db, ADMIN, name, "a-long-password", Role.SUPERVISOR)
    user.is_active = active
    return user


def site_with_camera(db: Session, name: str, organisation_id: int | None) -> CameraPlace:
    site = directory.create_site(db, ADMIN, name)
    room = directory.create_room(db, ADMIN, site.id, "R1")
    camera = directory.create_camera(db, ADMIN, room.id, "front")
    if organisation_id is not None:
        attach_site(db, ADMIN, site.id, organisation_id)
    return CameraPlace(camera.id, site.id)


def test_regions_take_level_and_parent_from_the_code(db: Session) -> None:
    assert [(r.code, r.level, r.parent_code) for r in list_regions(db)] == [
        ("350000", RegionLevel.PROVINCE, None), (XIAMEN, RegionLevel.CITY, "350000"),
        (SIMING, RegionLevel.DISTRICT, XIAMEN), (HULI, RegionLevel.DISTRICT, XIAMEN)]
    assert actions(db).count("region.create") == 4


@pytest.mark.parametrize(("code", "level", "parent", "error", "message"), [
    ("350211", RegionLevel.CITY, None, InvalidInput, "is a district by its code's shape"),
    ("350211", None, "350100", InvalidInput, "must be 350200 (its code's prefix)"),
    ("350300", None, None, InvalidInput, None),  # 莆田市 is fine: its parent is there
    ("360102", None, None, InvalidInput, "parent region 360100 of 360102 is not registered"),
    ("35021", None, None, InvalidInput, "six digits"),
    (SIMING, None, None, Conflict, "region 350203 already exists"),
])
def test_a_region_that_disagrees_with_its_code_is_refused(
        db: Session, code: str, level: RegionLevel | None, parent: str | None,
        error: type[Exception], message: str | None) -> None:
    if message is None:
        assert create_region(db, ADMIN, code, "莆田市").level is RegionLevel.CITY
        return
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        create_region(db, ADMIN, code, "某区", level, parent)


def test_organisations_belong_to_a_district(db: Session) -> None:
    with pytest.raises(InvalidInput, match=r"region 350200 \(厦门市\) is a city"):
        create_organisation(db, ADMIN, "厦门某企业", OrganisationKind.ENTERPRISE, XIAMEN)
    with pytest.raises(NotFound, match="region '999999' does not exist"):
        create_organisation(db, ADMIN, "厦门某企业", OrganisationKind.ENTERPRISE, "999999")
    for name in ["  ", "a\x00b", "\ud800", "bidi\u202eoverride"]:
        with pytest.raises(InvalidInput, match="the organisation's name"):
            create_organisation(db, ADMIN, name, OrganisationKind.ENTERPRISE, SIMING)
    organisation(db)
    with pytest.raises(Conflict, match="already exists"):
        organisation(db)


def test_updating_an_organisation_checks_and_audits_the_changes(db: Session) -> None:
    org_id = organisation(db)
    updated = update_organisation(db, ADMIN, org_id, OrganisationChanges(
        region_code=HULI, head_name=" 张三 ", kind=OrganisationKind.COLLEGE))
    assert (updated.region_code, updated.head_name) == (HULI, "张三")
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "organisation.update")).one()
    assert entry.detail == {"region_code": HULI, "head_name": "张三"}  # kind did not change
    with pytest.raises(InvalidInput, match="is a city"):
        update_organisation(db, ADMIN, org_id, OrganisationChanges(region_code=XIAMEN))
    with pytest.raises(NotFound, match="organisation 99 does not exist"):
        update_organisation(db, ADMIN, 99, OrganisationChanges(name="x"))


def test_region_grants_are_granted_once_listed_and_revoked(db: Session) -> None:
    user = supervisor(db)
    grant_region(db, ADMIN, user.id, XIAMEN)
    grant_region(db, ADMIN, user.id, XIAMEN)
    assert [r.code for r in region_grants(db, user.id)] == [XIAMEN]
    revoke_region(db, ADMIN, user.id, XIAMEN)
    assert region_grants(db, user.id) == []
    with pytest.raises(NotFound, match="has no grant of region '350200'"):
        revoke_region(db, ADMIN, user.id, XIAMEN)
    with pytest.raises(NotFound, match="region '360000' does not exist"):
        grant_region(db, ADMIN, user.id, "360000")
    assert actions(db).count("user.grant_region") == 1
    assert actions(db).count("user.revoke_region") == 1


def test_a_region_grant_covers_every_site_of_every_organisation_below_it(db: Session) -> None:
    siming = site_with_camera(db, "思明考点", organisation(db, "思明机构", SIMING))
    huli = site_with_camera(db, "湖里考点", organisation(db, "湖里机构", HULI))
    loose = site_with_camera(db, "无机构考点", None)
    user = supervisor(db)

    def sees(place: CameraPlace) -> bool:
        return load_scope(db, user).allows(LIVE, place)

    grant_region(db, ADMIN, user.id, SIMING)
    assert sees(siming) and not sees(huli) and not sees(loose)
    grant_region(db, ADMIN, user.id, "350000")  # the province: every district below
    assert sees(siming) and sees(huli) and not sees(loose)
    attach_site(db, ADMIN, loose.site_id, organisation(db, "新机构", HULI))
    assert sees(loose)
    user.is_active = False
    assert not sees(siming)


def test_a_drawn_supervisor_gets_exactly_the_batch_cameras_in_its_windows(db: Session) -> None:
    org_id = organisation(db)
    used = site_with_camera(db, "考点", org_id)
    other_room = directory.create_room(db, ADMIN, used.site_id, "R2")
    unused = directory.create_camera(db, ADMIN, other_room.id, "side").id
    user = supervisor(db)
    room_id = directory.list_cameras(db)[0].room_id
    drawn_batch(db, org_id, user.id, T0 + 240 * HOUR,
                [SessionPlan(T0, T0 + 2 * HOUR, [room_id])])
    sources = [assignment_grants(MARGIN)]

    def scope_at(at: datetime) -> tuple[bool, bool, bool]:
        scope = load_scope(db, user, at, sources)
        return (scope.allows(LIVE, used), scope.allows(ARCHIVE, used),
                scope.allows_any(frozenset(Permission), CameraPlace(unused, used.site_id)))

    assert scope_at(T0 - MARGIN - timedelta(seconds=1)) == (False, False, False)
    assert scope_at(T0 - MARGIN) == (True, True, False)
    assert scope_at(T0 + 2 * HOUR + MARGIN) == (False, True, False)
    assert scope_at(T0 + 240 * HOUR + timedelta(seconds=1)) == (False, False, False)
    assert load_scope(db, user, T0).live_until(used) is None  # no sources: no grant at all
    scope = load_scope(db, user, T0, sources)
    assert scope.live_until(used) == T0 + 2 * HOUR + MARGIN
    assert [c.id for c in db.scalars(scope.cameras_query())] == [used.camera_id]


def test_an_inactive_supervisor_or_user_gets_nothing_from_the_draw(db: Session) -> None:
    org_id = organisation(db)
    place = site_with_camera(db, "考点", org_id)
    room_id = directory.list_cameras(db)[0].room_id
    plan = [SessionPlan(T0, T0 + HOUR, [room_id])]
    retired, disabled = supervisor(db, "retired"), supervisor(db, "disabled", active=False)
    drawn_batch(db, org_id, retired.id, T0 + 24 * HOUR, plan, supervisor_active=False)
    drawn_batch(db, org_id, disabled.id, T0 + 24 * HOUR, plan)
    for user in (retired, disabled):
        assert not load_scope(db, user, T0, [assignment_grants(MARGIN)]).allows(LIVE, place)


def test_committed_grant_and_assignment_changes_wake_the_live_checks(
        factory: sessionmaker[Session], db: Session) -> None:
    org_id = organisation(db)
    site_with_camera(db, "考点", org_id)
    user_id = supervisor(db).id
    room_id = directory.list_cameras(db)[0].room_id
    drawn_batch(db, org_id, user_id, T0 + HOUR, [SessionPlan(T0, T0 + HOUR, [room_id])])
    grant_region(db, ADMIN, user_id, XIAMEN)
    db.commit()
    woken: list[int] = []
    watch_access_changes(factory, lambda: woken.append(1), ACCESS_ROWS + ASSIGNMENT_ACCESS_ROWS)
    with session_scope(factory) as other:
        revoke_region(other, ADMIN, user_id, XIAMEN)
    assert woken == [1]
    with session_scope(factory) as other:
        other.execute(delete(Assignment))
    assert woken == [1, 1]
