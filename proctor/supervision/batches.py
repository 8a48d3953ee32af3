"""Planning a certification batch (认定批次): the batch, its sessions (场次) and their rooms.

A batch is planned while it is a draft; once filed (备案) its plan is fixed and every change
here is refused with 409 naming the state. Sessions are time windows of at most
:data:`MAX_SESSION` within :data:`FIRST_YEAR`..:data:`LAST_YEAR`; a room is used by at most
one session of the batch at a time, and it must be at a site of the batch's organisation.
Every change is audited.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from proctor import audit
from proctor.actor import Actor
from proctor.db.models import Room, Site
from proctor.db.organisations import Organisation
from proctor.errors import Conflict, InvalidInput, NotFound
from proctor.organisations.text import clean_text
from proctor.supervision.records import Batch, ExamSession, SessionRoom
from proctor.supervision.report.terms import Level, Mode
from proctor.supervision.states import STATE_LABELS, BatchState

FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_SESSION = timedelta(hours=24)
MAX_EXPECTED = 500  # the most examinees one room (and one camera's scene) may expect
# 职业分类大典 codes: 6-31-01-03, and 工种 codes one group longer (6-31-01-03-01)
OCCUPATION_CODE = re.compile(r"\d-\d{2}(-\d{2}){1,3}")


def get_batch(db: Session, batch_id: int) -> Batch:
    """The batch, or :class:`NotFound`."""
    batch = db.get(Batch, batch_id)
    if batch is None:
        raise NotFound(f"batch {batch_id} does not exist")
    return batch


def require_draft(batch: Batch) -> None:
    """:class:`Conflict` unless the batch is still a draft (its plan may change)."""
    if batch.state is not BatchState.DRAFT:
        raise Conflict(f"batch {batch.id} is {STATE_LABELS[batch.state]} ({batch.state.value}):"
                       " its plan is fixed once filed; only a draft batch can change")


def create_batch(db: Session, actor: Actor, organisation_id: int, occupation_name: str,
                 occupation_code: str, level: Level, mode: Mode) -> Batch:
    """Plan a new batch (a draft) of an organisation for one occupation, level and mode."""
    if db.get(Organisation, organisation_id) is None:
        raise NotFound(f"organisation {organisation_id} does not exist")
    name = clean_text(occupation_name, "occupation name")
    code = occupation_code.strip()
    if not OCCUPATION_CODE.fullmatch(code):
        raise InvalidInput(f"occupation code {code[:40]!r} is not a 职业分类大典 code such "
                           "as 6-31-01-03 (or 6-31-01-03-01 for a 工种)")
    batch = Batch(organisation_id=organisation_id, occupation_name=name, occupation_code=code,
                  level=level, mode=mode, state=BatchState.DRAFT, flags=[],
                  created_by=str(actor))
    db.add(batch)
    db.flush()
    audit.record(db, actor, "batch.create", f"batch:{batch.id}", organisation=organisation_id,
                 occupation=name, code=code, level=level.value, mode=mode.value)
    return batch


def _check_window(starts_at: datetime, ends_at: datetime) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise InvalidInput("session times need a time zone offset (e.g. +08:00)")
    for moment in (starts_at, ends_at):
        if not FIRST_YEAR <= moment.astimezone(UTC).year <= LAST_YEAR:
            raise InvalidInput(f"{moment.isoformat()} is not between {FIRST_YEAR} and "
                               f"{LAST_YEAR}")
    if ends_at <= starts_at:
        raise InvalidInput(f"a session must end after it starts ({starts_at.isoformat()} to "
                           f"{ends_at.isoformat()})")
    if ends_at - starts_at > MAX_SESSION:
        raise InvalidInput(f"a session lasts at most {MAX_SESSION}; split longer ones")


def add_session(db: Session, actor: Actor, batch_id: int, name: str, starts_at: datetime,
                ends_at: datetime) -> ExamSession:
    """Add a session (场次) to a draft batch; names are unique within the batch."""
    batch = get_batch(db, batch_id)
    require_draft(batch)
    label = clean_text(name, "session name")[:100]
    _check_window(starts_at, ends_at)
    if any(s.name == label for s in batch.sessions):
        raise Conflict(f"batch {batch_id} already has a session named {label!r}")
    session = ExamSession(name=label, starts_at=starts_at.astimezone(UTC),
                          ends_at=ends_at.astimezone(UTC))
    batch.sessions.append(session)
    db.flush()
    audit.record(db, actor, "batch.session_add", f"batch:{batch.id}", session_id=session.id,
                 name=label, starts_at=session.starts_at.isoformat(),
                 ends_at=session.ends_at.isoformat())
    return session


def get_session(db: Session, session_id: int) -> ExamSession:
    """The session, or :class:`NotFound`."""
    session = db.get(ExamSession, session_id)
    if session is None:
        raise NotFound(f"session {session_id} does not exist")
    return session


def _check_room(db: Session, session: ExamSession, room_id: int) -> None:
    """The room exists, belongs to the batch's organisation and is free in the window."""
    room = db.get(Room, room_id)
    if room is None:
        raise NotFound(f"room {room_id} does not exist")
    site = db.get(Site, room.site_id)
    if site is None or site.organisation_id != session.batch.organisation_id:
        raise InvalidInput(f"room {room_id} is not at a site of organisation "
                           f"{session.batch.organisation_id}, which runs this batch")
    clash = db.scalars(select(ExamSession).join(SessionRoom).where(
        ExamSession.batch_id == session.batch_id, SessionRoom.room_id == room_id,
        ExamSession.starts_at < session.ends_at, ExamSession.ends_at > session.starts_at,
    )).first()
    if clash is not None:
        raise Conflict(f"room {room_id} is already used by session {clash.name!r} of this "
                       f"batch ({clash.starts_at:%Y-%m-%d %H:%M}–{clash.ends_at:%H:%M} UTC), "
                       "which overlaps")


def add_room(db: Session, actor: Actor, session_id: int, room_id: int,
             expected_examinees: int) -> SessionRoom:
    """Use a room in a session of a draft batch, expecting that many examinees."""
    session = get_session(db, session_id)
    require_draft(session.batch)
    if not 0 <= expected_examinees <= MAX_EXPECTED:
        raise InvalidInput(f"expected examinees must be 0..{MAX_EXPECTED}, "
                           f"not {expected_examinees}")
    _check_room(db, session, room_id)
    row = SessionRoom(room_id=room_id, expected_examinees=expected_examinees)
    session.rooms.append(row)
    try:
        db.flush()
    except IntegrityError as error:  # two requests adding the same room at once
        raise Conflict(f"room {room_id} is already in session {session_id}") from error
    audit.record(db, actor, "batch.room_add", f"batch:{session.batch_id}", session_id=session.id,
                 session_room=row.id, room=room_id, expected=expected_examinees)
    return row
