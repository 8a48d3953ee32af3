"""Attendance (实考 / 缺考) of a session's room, recorded after the session.

The room's roster says how many examinees are expected (应考); after the session a
reviewer of the batch (a drawn supervisor while their access lasts, or an administrator;
the server's operator at the command line) records how many were present and absent, from
the sign-in sheet (签到表). Present + absent must be the expected count. The report's
header sums the rooms' attendance, and a report is not signed while a room has none
(:mod:`~proctor.supervision.report_archive`). A correction replaces the counts; every
recording is audited with the previous counts. Nothing is recorded once the batch is
decided (accepted or not accepted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from proctor import audit
from proctor.actor import Actor
from proctor.auth.scope import Scope
from proctor.db.base import utcnow
from proctor.errors import Conflict, InvalidInput, NotFound
from proctor.supervision.records import SessionRoom
from proctor.supervision.review_access import reviewable_batch
from proctor.supervision.states import STATE_LABELS, BatchState

RECORDED = "batch.attendance"
DECIDED = frozenset({BatchState.ACCEPTED, BatchState.NOT_ACCEPTED})


@dataclass(frozen=True)
class Attendance:
    """实考 and 缺考 of one room of a session."""

    present: int
    absent: int


def check_attendance(expected: int, counts: Attendance) -> None:
    """:class:`InvalidInput` unless present + absent = expected, neither negative."""
    if counts.present < 0 or counts.absent < 0:
        raise InvalidInput("present and absent are counts: neither may be negative")
    if counts.present + counts.absent != expected:
        raise InvalidInput(f"present {counts.present} + absent {counts.absent} = "
                           f"{counts.present + counts.absent}, but the roster expects "
                           f"{expected} (应考 = 实考 + 缺考)")


def _session_room(db: Session, session_room_id: int) -> SessionRoom:
    row = db.get(SessionRoom, session_room_id)
    if row is None:
        raise NotFound(f"session room {session_room_id} does not exist")
    return row


def record_attendance(db: Session, actor: Actor, session_room_id: int, counts: Attendance,
                      scope: Scope | None = None, now: datetime | None = None) -> SessionRoom:
    """Record the room's attendance after its session; ``scope`` is the caller's (``None``:
    the server's operator). Audited with the previous counts."""
    row = _session_room(db, session_room_id)
    session = row.session
    batch = session.batch
    if scope is not None:
        reviewable_batch(db, scope, batch.id)
    moment = now or utcnow()
    if session.ends_at > moment:
        raise Conflict(f"session {session.name!r} ends at {session.ends_at.isoformat()}: "
                       "attendance is recorded after the session")
    if batch.state in DECIDED:
        raise Conflict(f"batch {batch.id} is {STATE_LABELS[batch.state]} "
                       f"({batch.state.value}): its attendance can no longer change")
    check_attendance(row.expected_examinees, counts)
    before = {"previous_present": row.present, "previous_absent": row.absent}
    row.present, row.absent = counts.present, counts.absent
    db.flush()
    audit.record(db, actor, RECORDED, f"batch:{batch.id}", session_room=row.id,
                 room=row.room_id, session_id=session.id, expected=row.expected_examinees,
                 present=counts.present, absent=counts.absent, **before)
    return row
