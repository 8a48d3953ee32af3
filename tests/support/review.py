"""Rows for review and coverage tests: a batch drawn for supervisors, its events, segment
rows of the recording index, users of every kind and their scopes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor.auth.scope import Scope, load_scope
from proctor.db.models import Event, Role, Segment, SiteGrant, User
from proctor.supervision.assignment_scope import assignment_grants
from proctor.supervision.oversight import Assignment, Supervisor
from support.batches import World, at
from support.drawn import SessionPlan, drawn_batch

START, END = "2026-03-02 09:00", "2026-03-02 11:00"  # the session window (China time)
LATER = datetime(2099, 1, 1, tzinfo=UTC)  # access that has not ended
SOURCES = (assignment_grants(timedelta(minutes=30)),)


def user(db: Session, name: str, role: Role, site_ids: tuple[int, ...] = ()) -> User:
    """A console user (no usable password: service tests never log in)."""
    row = User(username=name, display_name=name, password_hash="!", role=role)
    row.site_grants = [SiteGrant(site_id=site) for site in site_ids]
    db.add(row)
    db.flush()
    return row


def scope_of(db: Session, row: User, moment: datetime | None = None) -> Scope:
    """The user's scope at ``moment`` (default: during the session), with assignments."""
    return load_scope(db, row, at=moment or at("2026-03-02 12:00"), sources=SOURCES)


def drawn_for_both_rooms(db: Session, world: World, user_id: int,
                         access_until: datetime = LATER) -> int:
    """A batch whose one session uses both rooms of ``world``, with the supervisor of
    ``user_id`` drawn for it; returns the batch id."""
    assignment_id = drawn_batch(db, world.organisation, user_id, access_until,
                                [SessionPlan(at(START), at(END), world.rooms)])
    assignment = db.get(Assignment, assignment_id)
    assert assignment is not None
    return assignment.batch_id


def draw_also(db: Session, batch_id: int, user_id: int, access_until: datetime = LATER) -> None:
    """Draw the supervisor of ``user_id`` for the batch too (same draw)."""
    first = db.scalars(select(Assignment).where(Assignment.batch_id == batch_id)).first()
    assert first is not None
    supervisor = Supervisor(user_id=user_id, name="第二督导员", region_code="350200",
                            qualification_number="Q-2")
    db.add(supervisor)
    db.flush()
    db.add(Assignment(batch_id=batch_id, supervisor_id=supervisor.id, draw_id=first.draw_id,
                      access_until=access_until))
    db.flush()


def add_event(db: Session, camera_id: int, start: str, minutes: int = 1,
              kind: str = "phone") -> int:
    """A closed event of ``camera_id`` starting at China time ``start``; returns its id."""
    event = Event(camera_id=camera_id, kind=kind, started_at=at(start),
                  ended_at=at(start) + timedelta(minutes=minutes), severity=0.5)
    db.add(event)
    db.flush()
    return event.id


def ms(text: str, plus_ms: int = 0) -> int:
    """China time ``YYYY-MM-DD HH:MM[:SS]`` as epoch milliseconds, plus ``plus_ms``."""
    from zoneinfo import ZoneInfo

    moment = datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    return round(moment.timestamp() * 1000) + plus_ms


def add_segments(db: Session, camera_id: int, start_ms: int, end_ms: int,
                 length_ms: int = 10_000) -> None:
    """Index rows of back-to-back segments covering ``start_ms..end_ms`` (the last one
    shorter), as the recording index holds them after upload."""
    for begin in range(start_ms, end_ms, length_ms):
        add_segment(db, camera_id, begin, min(begin + length_ms, end_ms))


def add_segment(db: Session, camera_id: int, start_ms: int, end_ms: int) -> None:
    """A stored segment row (only its span matters to coverage), flushed."""
    db.add(Segment(camera_id=camera_id, start_ms=start_ms, end_ms=end_ms,
                   agent_start_ms=start_ms, clock_offset_ms=0.0, size=1, sha256="0" * 64,
                   object_key=f"cam/{camera_id}/{start_ms}.ts", version_id="v1",
                   retain_until=datetime(2031, 3, 2, tzinfo=UTC),
                   prev_hash=f"{camera_id:032d}{start_ms:032d}",
                   chain_hash=f"{camera_id:032d}{end_ms:032d}"))
    db.flush()
