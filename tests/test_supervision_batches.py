"""Planning a batch: create it, add sessions and rooms, each refusal, audited, draft only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from support.batches import ADMIN, World, at, planned_batch

from proctor.db.models import AuditEntry, Room, Site
from proctor.errors import Conflict, InvalidInput, NotFound
from proctor.supervision import batches
from proctor.supervision.records import Batch
from proctor.supervision.report.terms import Level, Mode
from proctor.supervision.states import BatchState


def _actions(db: Session) -> list[str]:
    return [e.action for e in db.scalars(select(AuditEntry).order_by(AuditEntry.seq))]


def test_a_planned_batch_is_a_draft_with_its_session_room_and_roster(db: Session,
                                                                      world: World) -> None:
    batch = planned_batch(db, world)
    assert batch.state is BatchState.DRAFT and batch.level is Level.FOUR
    (session,) = batch.sessions
    (room,) = session.rooms
    assert room.expected_examinees == 2  # the roster lists two examinees
    assert [c.ticket_number for c in room.candidates] == ["2026001", "2026002"]
    assert _actions(db)[-4:] == ["batch.create", "batch.session_add", "batch.room_add",
                                 "batch.roster_import"]
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "batch.create")).one()
    assert entry.actor == "cli:admin" and entry.detail["level"] == "四级"


@pytest.mark.parametrize(("code", "name", "error"), [
    ("6-18-01", "\u0000车工", "non-printable"),
    ("6-18-01-01", "", "must not be blank"),
    ("618", "车工", "not a 职业分类大典 code"),
    ("6-18-01-01-01-01", "车工", "not a 职业分类大典 code"),
])
def test_bad_batch_fields_are_refused(db: Session, world: World, code: str, name: str,
                                      error: str) -> None:
    with pytest.raises(InvalidInput, match=error):
        batches.create_batch(db, ADMIN, world.organisation, name, code, Level.ONE, Mode.THEORY)


def test_an_unknown_organisation_is_not_found(db: Session, world: World) -> None:
    with pytest.raises(NotFound, match="organisation 999"):
        batches.create_batch(db, ADMIN, 999, "车工", "6-18-01-01", Level.ONE, Mode.THEORY)


@pytest.mark.parametrize(("start", "end", "error"), [
    (at("2026-03-02 11:00"), at("2026-03-02 09:00"), "end after it starts"),
    (at("2026-03-02 09:00"), at("2026-03-02 09:00"), "end after it starts"),
    (at("2026-03-02 09:00"), at("2026-03-04 09:00"), "at most 1 day"),
    (datetime(1999, 1, 1, tzinfo=UTC), datetime(1999, 1, 1, 2, tzinfo=UTC), "between 2000"),
    (datetime(9999, 12, 31, tzinfo=UTC), datetime(9999, 12, 31, 2, tzinfo=UTC), "between"),
    (datetime(2026, 3, 2, 9), datetime(2026, 3, 2, 11), "time zone"),
])
def test_bad_session_windows_are_refused(db: Session, world: World, start: datetime,
                                         end: datetime, error: str) -> None:
    batch = planned_batch(db, world, roster=None)
    with pytest.raises(InvalidInput, match=error):
        batches.add_session(db, ADMIN, batch.id, "第二场", start, end)


def test_session_names_are_unique_within_the_batch(db: Session, world: World) -> None:
    batch = planned_batch(db, world)
    with pytest.raises(Conflict, match="第一场"):
        batches.add_session(db, ADMIN, batch.id, "第一场", at("2026-03-03 09:00"),
                            at("2026-03-03 11:00"))


def test_overlapping_sessions_cannot_share_a_room(db: Session, world: World) -> None:
    batch = planned_batch(db, world)
    overlapping = batches.add_session(db, ADMIN, batch.id, "第二场", at("2026-03-02 10:30"),
                                      at("2026-03-02 12:00"))
    with pytest.raises(Conflict, match="already used by session '第一场'"):
        batches.add_room(db, ADMIN, overlapping.id, world.rooms[0], 10)
    batches.add_room(db, ADMIN, overlapping.id, world.rooms[1], 10)  # another room is free
    later = batches.add_session(db, ADMIN, batch.id, "第三场", at("2026-03-02 11:00"),
                                at("2026-03-02 12:00"))
    batches.add_room(db, ADMIN, later.id, world.rooms[0], 10)  # back to back is fine


def test_rooms_must_be_the_organisations_and_counts_sane(db: Session, world: World) -> None:
    batch = planned_batch(db, world)
    session_id = batch.sessions[0].id
    other = Site(name="别家考点")
    db.add(other)
    db.flush()
    foreign = Room(site_id=other.id, name="外借考场")
    db.add(foreign)
    db.flush()
    with pytest.raises(InvalidInput, match="not at a site of organisation"):
        batches.add_room(db, ADMIN, session_id, foreign.id, 10)
    with pytest.raises(NotFound, match="room 9999"):
        batches.add_room(db, ADMIN, session_id, 9999, 10)
    for count in (-1, 501, 10**30):
        with pytest.raises(InvalidInput, match="expected examinees"):
            batches.add_room(db, ADMIN, session_id, world.rooms[1], count)


def test_only_a_draft_changes(db: Session, world: World) -> None:
    batch = planned_batch(db, world)
    db.get(Batch, batch.id).state = BatchState.FILED  # type: ignore[union-attr]
    db.flush()
    with pytest.raises(Conflict, match=r"已备案 \(filed\).*only a draft"):
        batches.add_session(db, ADMIN, batch.id, "第二场", at("2026-03-03 09:00"),
                            at("2026-03-03 11:00"))
    with pytest.raises(Conflict, match="filed"):
        batches.add_room(db, ADMIN, batch.sessions[0].id, world.rooms[1], 5)
