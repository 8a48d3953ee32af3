"""Registering complaints on a real (SQLite) database: the organisation taken from the batch
and checked against the one named, a room only of that organisation, the first review due
in working days from the China day (blank, never refused, when the year is not entered);
online complaints limited per address, whose digest is recorded but never the address;
officers register phone, letter and visit complaints only about organisations in their
scope they are no member of."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from support.batches import World, planned_batch
from support.drawn import organisation
from support.places import add_user, build_place

from proctor.auth.scope import Scope, load_scope
from proctor.complaints.form import ComplaintForm
from proctor.complaints.registration import (
    ONLINE_INTAKE,
    REGISTERED,
    IntakeLimit,
    TooManyComplaints,
    address_digest,
    register_by_officer,
    register_online,
)
from proctor.complaints.workflow import DeadlineRules
from proctor.db.base import utcnow
from proctor.db.complaints import Complaint, ComplaintChannel
from proctor.db.models import AuditEntry, Role, Site
from proctor.errors import Forbidden, InvalidInput, NotFound
from proctor.supervision.calendar import WorkingCalendar
from proctor.supervision.oversight import Supervisor

NOW = datetime(2026, 6, 9, 1, 0, tzinfo=UTC)  # Tuesday 09:00 in China
CALENDAR = WorkingCalendar([2026], [])
RULES = DeadlineRules()
KEY = b"k" * 32
LIMIT = IntakeLimit(per_address=2, window=timedelta(hours=1))
TEXT = "考场内有人使用手机作弊"


@dataclass(frozen=True)
class Desk:
    """The world's organisation and its batch; an officer of its site; another organisation
    with a room of its own."""

    batch: int
    officer: Scope
    other: int
    other_room: int


@pytest.fixture
def desk(db: Session, world: World) -> Desk:
    batch = planned_batch(db, world)
    other = organisation(db, "组织乙", "350203")
    place = build_place(db, "乙")
    place.site.organisation_id = other
    officer = add_user(db, "officer", Role.COMPLAINT_OFFICER, [db.get_one(Site, world.site)])
    db.commit()
    return Desk(batch.id, load_scope(db, officer), other, place.camera.room_id)


def form(**fields: Any) -> ComplaintForm:
    return ComplaintForm.model_validate({"text": TEXT, **fields})


def by_officer(db: Session, desk: Desk, channel: ComplaintChannel = ComplaintChannel.PHONE,
               now: datetime = NOW, calendar: WorkingCalendar = CALENDAR,
               **fields: Any) -> Complaint:
    return register_by_officer(db, desk.officer, calendar, RULES, form(**fields), channel, now)


def online(db: Session, address: str, **fields: Any) -> Complaint:
    """An online complaint now (the limit counts audit entries, stamped with the clock)."""
    return register_online(db, None, CALENDAR, RULES, form(**fields), [],
                           address_digest(KEY, address), LIMIT, utcnow(), 5)


def test_a_batch_names_the_organisation_and_the_first_review_is_due_in_working_days(
        db: Session, world: World, desk: Desk) -> None:
    complaint = by_officer(db, desk, batch_id=desk.batch, seat="A1", complainant_name="")
    assert (complaint.organisation_id, complaint.batch_id) == (world.organisation, desk.batch)
    assert complaint.first_review_due is not None
    assert CALENDAR.working_days_between(date(2026, 6, 9), complaint.first_review_due) == \
        RULES.first_review_days
    assert complaint.registered_by == str(desk.officer.actor)
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == REGISTERED)).one()
    assert entry.target == f"complaint:{complaint.id}"
    assert entry.detail["anonymous"] is True and entry.detail["channel"] == "phone"


def test_a_batch_of_another_organisation_is_refused(db: Session, desk: Desk) -> None:
    with pytest.raises(InvalidInput, match=f"batch {desk.batch} is not a batch of organisation"):
        by_officer(db, desk, batch_id=desk.batch, organisation_id=desk.other)


@pytest.mark.parametrize("field", ["batch_id", "organisation_id"])
def test_a_batch_or_organisation_that_does_not_exist_is_not_found(db: Session, desk: Desk,
                                                                  field: str) -> None:
    with pytest.raises(NotFound, match=f"{field.removesuffix('_id')} {2**63 - 1} does not"):
        register_by_officer(db, desk.officer, CALENDAR, RULES, form(**{field: 2**63 - 1}),
                            ComplaintChannel.LETTER, NOW)


def test_a_room_of_another_organisation_is_refused(db: Session, world: World,
                                                   desk: Desk) -> None:
    with pytest.raises(InvalidInput, match=f"room {desk.other_room} is not a room of"):
        by_officer(db, desk, organisation_id=world.organisation, room_id=desk.other_room)
    with pytest.raises(InvalidInput, match="room 999999 is not a room of"):
        by_officer(db, desk, organisation_id=world.organisation, room_id=999_999)
    ours = by_officer(db, desk, organisation_id=world.organisation, room_id=world.rooms[1])
    assert ours.room_id == world.rooms[1]


def test_a_first_review_in_a_year_not_entered_is_blank_not_refused(
        db: Session, world: World, desk: Desk) -> None:
    late = datetime(2026, 12, 30, 2, 0, tzinfo=UTC)
    complaint = by_officer(db, desk, organisation_id=world.organisation, now=late)
    assert complaint.id is not None and complaint.first_review_due is None


def test_officers_do_not_register_online_complaints(db: Session, world: World,
                                                    desk: Desk) -> None:
    with pytest.raises(InvalidInput, match="come through the public page"):
        by_officer(db, desk, ComplaintChannel.ONLINE, organisation_id=world.organisation)


def test_an_organisation_outside_the_scope_is_refused(db: Session, desk: Desk) -> None:
    with pytest.raises(Forbidden, match=f"organisation {desk.other} is outside the scope"):
        by_officer(db, desk, organisation_id=desk.other)


def test_an_officer_employed_by_the_organisation_must_recuse(db: Session, world: World,
                                                             desk: Desk) -> None:
    db.add(Supervisor(user_id=desk.officer.user_id, name="职工", region_code="350203",
                      organisation_id=world.organisation))
    db.commit()
    with pytest.raises(Forbidden, match="回避"):
        by_officer(db, desk, ComplaintChannel.VISIT, organisation_id=world.organisation)


@pytest.mark.parametrize("role", [Role.ORG_OPERATOR, Role.AUDITOR, Role.SUPERVISOR])
def test_roles_that_do_not_handle_complaints_register_none(db: Session, world: World,
                                                           role: Role) -> None:
    user = add_user(db, f"user-{role.value}", role, [db.get_one(Site, world.site)])
    db.commit()
    with pytest.raises(Forbidden):
        register_by_officer(db, load_scope(db, user), CALENDAR, RULES,
                            form(organisation_id=world.organisation), ComplaintChannel.PHONE,
                            NOW)


def test_online_complaints_are_limited_per_address_and_the_address_is_not_kept(
        db: Session, world: World) -> None:
    address = "203.0.113.7"
    first = online(db, address, organisation_id=world.organisation,
                   complainant_name="王某")
    online(db, address, organisation_id=world.organisation)
    with pytest.raises(TooManyComplaints) as refused:
        online(db, address, organisation_id=world.organisation)
    assert 0 < refused.value.retry_after_s <= LIMIT.window.total_seconds() + 1
    assert "try again in 60 min" in str(refused.value)
    online(db, "203.0.113.8", organisation_id=world.organisation)  # another address
    assert first.channel is ComplaintChannel.ONLINE and first.registered_by.startswith("system")
    targets = db.scalars(select(AuditEntry.target).where(AuditEntry.action == ONLINE_INTAKE))
    kept = list(targets)
    assert len(kept) == 3 and not any(address in t or "203.0.113" in t for t in kept)
    assert kept[0] == kept[1] != kept[2]


def test_the_address_digest_is_keyed_and_stable() -> None:
    assert address_digest(KEY, "::1") == address_digest(KEY, "::1")
    assert address_digest(KEY, "::1") != address_digest(b"x" * 32, "::1")
    assert address_digest(KEY, "::1") != address_digest(KEY, "::2")
    assert "::1" not in address_digest(KEY, "::1")
