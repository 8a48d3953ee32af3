"""Importing a session room's roster (名册) from CSV: all lines or none, audited."""

from __future__ import annotations

from sqlalchemy.orm import Session

from proctor import audit
from proctor.actor import Actor
from proctor.errors import NotFound
from proctor.supervision import roster
from proctor.supervision.batches import require_draft
from proctor.supervision.records import Candidate, RosterStaff, SessionRoom, StaffRole


def get_session_room(db: Session, session_room_id: int) -> SessionRoom:
    """The session room, or :class:`NotFound`."""
    row = db.get(SessionRoom, session_room_id)
    if row is None:
        raise NotFound(f"session room {session_room_id} does not exist")
    return row


def has_roster(room: SessionRoom) -> bool:
    """A room has a roster when it expects examinees and names its staff (at least one
    examiner or invigilator): the condition for filing the batch."""
    return room.expected_examinees > 0 and bool(room.staff)


def import_roster(db: Session, actor: Actor, session_room_id: int, data: bytes) -> SessionRoom:
    """Replace the room's roster with the CSV file ``data`` (see :mod:`roster` for the
    format). With examinees listed, the room expects exactly that many; a file of staff only
    keeps the expected count. Nothing changes unless every line is good."""
    room = get_session_room(db, session_room_id)
    require_draft(room.session.batch)
    parsed = roster.parse(data)
    room.candidates, room.staff = [], []
    db.flush()  # the old rows go first: a re-import may repeat their 准考证号
    room.candidates = [Candidate(ticket_number=c.ticket_number, name=c.name, seat=c.seat)
                       for c in parsed.candidates]
    room.staff = [RosterStaff(role=s.role, name=s.name, qualification_number=s.qualification_number)
                  for s in parsed.staff]
    before = room.expected_examinees
    if parsed.candidates:
        room.expected_examinees = len(parsed.candidates)
    db.flush()
    audit.record(db, actor, "batch.roster_import", f"batch:{room.session.batch_id}",
                 session_room=room.id, candidates=len(parsed.candidates),
                 examiners=sum(s.role is StaffRole.EXAMINER for s in parsed.staff),
                 invigilators=sum(s.role is StaffRole.INVIGILATOR for s in parsed.staff),
                 expected_before=before, expected=room.expected_examinees)
    return room
