"""Who a notice is for, on a real (SQLite) directory: region grants at or above the
organisation's district, grants of its sites, a batch's drawn supervisors; only active
users; and a complaint notice only for complaint officers, never the accused organisation's
operators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session
from support.drawn import (
    FUJIAN,
    HULI,
    SIMING,
    XIAMEN,
    SessionPlan,
    drawn_batch,
    organisation,
    xiamen_regions,
)
from support.places import ADMIN, add_user, build_place

from proctor.db.models import Role, User
from proctor.organisations.grants import grant_region
from proctor.oversight.cutoffs import DueStep
from proctor.oversight.notices import ComplaintStep, Notice, Stage, Subject
from proctor.oversight.recipients import recipients
from proctor.supervision.oversight import Assignment

LATER = datetime(2099, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Directory:
    """User ids by name, the organisation in 思明区 and its batch with a drawn supervisor."""

    users: dict[str, int]
    organisation: int
    batch: int


@pytest.fixture
def directory(db: Session) -> Directory:
    xiamen_regions(db)
    ours = organisation(db, "组织甲", SIMING)
    place = build_place(db, "A")
    place.site.organisation_id = ours
    users = {}
    for name, role, region in (("province", Role.AUDITOR, FUJIAN),
                               ("city_officer", Role.COMPLAINT_OFFICER, XIAMEN),
                               ("district", Role.SUPERVISOR, SIMING),
                               ("neighbour", Role.COMPLAINT_OFFICER, HULI),
                               ("retired", Role.COMPLAINT_OFFICER, XIAMEN)):
        user = add_user(db, name, role, [])
        grant_region(db, ADMIN, user.id, region)
        users[name] = user.id
    users["operator"] = add_user(db, "operator", Role.ORG_OPERATOR, [place.site]).id
    users["site_officer"] = add_user(db, "site_officer", Role.COMPLAINT_OFFICER,
                                     [place.site]).id
    drawn = add_user(db, "drawn", Role.SUPERVISOR, [])
    users["drawn"] = drawn.id
    window = SessionPlan(datetime(2026, 12, 8, 1, tzinfo=UTC),
                         datetime(2026, 12, 8, 5, tzinfo=UTC), [place.camera.room_id])
    batch = db.get_one(Assignment, drawn_batch(db, ours, drawn.id, LATER, [window])).batch_id
    db.get_one(User, users["retired"]).is_active = False
    db.commit()
    return Directory(users, ours, batch)


def notice(directory: Directory, subject: Subject, subject_id: int) -> Notice:
    step = DueStep.RESULTS_FILING if subject is Subject.BATCH else ComplaintStep.FIRST_REVIEW
    return Notice(subject, subject_id, step, date(2026, 12, 20), Stage.DUE_SOON,
                  directory.organisation, SIMING)


def names(directory: Directory, found: list[int]) -> set[str]:
    by_id = {user_id: name for name, user_id in directory.users.items()}
    return {by_id[user_id] for user_id in found}


def test_a_batch_notice_reaches_the_regions_above_the_site_and_the_drawn(
        db: Session, directory: Directory) -> None:
    found = recipients(db, notice(directory, Subject.BATCH, directory.batch))
    assert [r.user_id for r in found] == sorted(r.user_id for r in found)
    assert names(directory, [r.user_id for r in found]) == {
        "province", "city_officer", "district", "operator", "site_officer", "drawn"}
    assert {r.role for r in found if r.user_id == directory.users["drawn"]} == {
        Role.SUPERVISOR}


def test_another_batchs_notice_does_not_reach_this_batchs_drawn_supervisor(
        db: Session, directory: Directory) -> None:
    found = recipients(db, notice(directory, Subject.BATCH, directory.batch + 1))
    assert "drawn" not in names(directory, [r.user_id for r in found])


def test_a_complaint_notice_reaches_complaint_officers_only(db: Session,
                                                           directory: Directory) -> None:
    found = recipients(db, notice(directory, Subject.COMPLAINT, 1))
    assert names(directory, [r.user_id for r in found]) == {"city_officer", "site_officer"}
    assert {r.role for r in found} == {Role.COMPLAINT_OFFICER}
