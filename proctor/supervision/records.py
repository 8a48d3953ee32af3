"""Tables of a certification batch (认定批次): its sessions, rooms and rosters.

A batch is planned by an organisation for one occupation (职业/工种) and level, in one mode.
It has sessions (场次), each a time window with the rooms it uses; each room of a session
has a roster: the expected number of examinees, optionally the candidate list (准考证号,
name, seat) and the examiners and invigilators. The batch's state follows
:mod:`proctor.supervision.states`; every change is audited by the service.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from proctor.db.base import Base, UtcDateTime, utcnow, value_enum
from proctor.db.models import Room
from proctor.supervision.report.terms import Level, Mode
from proctor.supervision.states import BatchState


class StaffRole(str, enum.Enum):
    """People of a room's roster other than the examinees."""

    EXAMINER = "考评员"
    INVIGILATOR = "监考员"


class Batch(Base):
    """A certification batch (认定批次) of one organisation."""

    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    occupation_name: Mapped[str] = mapped_column(String(200))  # 职业/工种
    occupation_code: Mapped[str] = mapped_column(String(50))  # e.g. 6-31-01-03
    level: Mapped[Level] = mapped_column(value_enum(Level, 8))
    mode: Mapped[Mode] = mapped_column(value_enum(Mode, 16))
    state: Mapped[BatchState] = mapped_column(value_enum(BatchState), default=BatchState.DRAFT,
                                              index=True)
    # 备案号, given by the centre when the batch is filed; unique
    filing_number: Mapped[str | None] = mapped_column(String(100), nullable=True, unique=True)
    plan_filed_on: Mapped[date | None] = mapped_column(Date(), nullable=True)
    publicity_started_on: Mapped[date | None] = mapped_column(Date(), nullable=True)
    results_filed_on: Mapped[date | None] = mapped_column(Date(), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # late or skipped steps and administrator overrides, each with its reason (never silent)
    flags: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    sessions: Mapped[list[ExamSession]] = relationship(
        back_populates="batch", cascade="all, delete-orphan", order_by="ExamSession.starts_at")


class ExamSession(Base):
    """A session (场次) of a batch: one time window, in one or more rooms."""

    __tablename__ = "exam_sessions"
    __table_args__ = (UniqueConstraint("batch_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"),
                                          index=True)
    name: Mapped[str] = mapped_column(String(100))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)

    batch: Mapped[Batch] = relationship(back_populates="sessions")
    rooms: Mapped[list[SessionRoom]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionRoom.id")


class SessionRoom(Base):
    """A room used by a session, with its roster (expected, present and absent counts)."""

    __tablename__ = "session_rooms"
    __table_args__ = (UniqueConstraint("session_id", "room_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id", ondelete="CASCADE"),
                                            index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    expected_examinees: Mapped[int] = mapped_column(default=0)  # 应考
    present: Mapped[int | None] = mapped_column(nullable=True)  # 实考
    absent: Mapped[int | None] = mapped_column(nullable=True)  # 缺考

    session: Mapped[ExamSession] = relationship(back_populates="rooms")
    room: Mapped[Room] = relationship()  # read-only: where the session sits (its name, site)
    candidates: Mapped[list[Candidate]] = relationship(
        cascade="all, delete-orphan", order_by="Candidate.id")
    staff: Mapped[list[RosterStaff]] = relationship(
        cascade="all, delete-orphan", order_by="RosterStaff.id")


class Candidate(Base):
    """An examinee on a room's roster."""

    __tablename__ = "candidates"
    __table_args__ = (UniqueConstraint("session_room_id", "ticket_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_room_id: Mapped[int] = mapped_column(
        ForeignKey("session_rooms.id", ondelete="CASCADE"), index=True)
    ticket_number: Mapped[str] = mapped_column(String(50))  # 准考证号
    name: Mapped[str] = mapped_column(String(100))
    seat: Mapped[str] = mapped_column(String(20), default="")


class RosterStaff(Base):
    """An examiner (考评员) or invigilator (监考员) on a room's roster."""

    __tablename__ = "roster_staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_room_id: Mapped[int] = mapped_column(
        ForeignKey("session_rooms.id", ondelete="CASCADE"), index=True)
    role: Mapped[StaffRole] = mapped_column(value_enum(StaffRole, 8))
    name: Mapped[str] = mapped_column(String(100))
    qualification_number: Mapped[str] = mapped_column(String(100), default="")
