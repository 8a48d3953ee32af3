"""Attendance (实考/缺考) of a session room on SQLite: after the session only, present +
absent = expected, reviewers only, audited with the previous counts, fixed once decided."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from support.batches import ADMIN, World, at, planned_batch
from support.review import scope_of, user

from proctor.db.models import AuditEntry, Role
from proctor.errors import Conflict, Forbidden, InvalidInput, NotFound
from proctor.supervision.attendance import RECORDED, Attendance, record_attendance
from proctor.supervision.records import Batch, SessionRoom
from proctor.supervision.states import BatchState

AFTER = at("2026-03-02 11:00")  # the session's end


def _room(batch: Batch) -> SessionRoom:
    return batch.sessions[0].rooms[0]  # the roster lists 2 examinees


def test_attendance_is_recorded_after_the_session_and_audited(db: Session,
                                                             world: World) -> None:
    room = _room(planned_batch(db, world))
    with pytest.raises(Conflict, match="after the session"):
        record_attendance(db, ADMIN, room.id, Attendance(2, 0), now=at("2026-03-02 10:59"))
    record_attendance(db, ADMIN, room.id, Attendance(2, 0), now=AFTER)
    record_attendance(db, ADMIN, room.id, Attendance(1, 1), now=AFTER)  # a correction
    assert (room.present, room.absent) == (1, 1)
    details = [e.detail for e in db.scalars(select(AuditEntry).where(
        AuditEntry.action == RECORDED).order_by(AuditEntry.seq))]
    assert [(d["present"], d["absent"], d["previous_present"], d["previous_absent"])
            for d in details] == [(2, 0, None, None), (1, 1, 2, 0)]
    assert details[0]["expected"] == 2


@pytest.mark.parametrize(("present", "absent", "message"), [
    (2, 1, "present 2 \\+ absent 1 = 3, but the roster expects 2"),
    (0, 0, "but the roster expects 2"),
    (3, -1, "neither may be negative"),
])
def test_present_and_absent_add_up_to_expected(db: Session, world: World, present: int,
                                               absent: int, message: str) -> None:
    room = _room(planned_batch(db, world))
    with pytest.raises(InvalidInput, match=message):
        record_attendance(db, ADMIN, room.id, Attendance(present, absent), now=AFTER)
    assert (room.present, room.absent) == (None, None)


def test_only_reviewers_record_and_never_once_decided(db: Session, world: World) -> None:
    batch = planned_batch(db, world)
    room = _room(batch)
    operator = scope_of(db, user(db, "op", Role.ORG_OPERATOR, (world.site,)), AFTER)
    with pytest.raises(Forbidden, match="may not review"):
        record_attendance(db, ADMIN, room.id, Attendance(2, 0), operator, now=AFTER)
    admin = scope_of(db, user(db, "boss", Role.ADMIN), AFTER)
    record_attendance(db, ADMIN, room.id, Attendance(2, 0), admin, now=AFTER)
    batch.state = BatchState.ACCEPTED
    with pytest.raises(Conflict, match="can no longer change"):
        record_attendance(db, ADMIN, room.id, Attendance(1, 1), now=AFTER)
    with pytest.raises(NotFound, match="session room 999 does not exist"):
        record_attendance(db, ADMIN, 999, Attendance(1, 1), now=AFTER)
