"""Request and response bodies of certification batches, their sessions, rooms and rosters.

Texts and numbers are only bounded here (hostile sizes stop at 422); the rules (codes,
printable text, windows, overlaps, the draft-only plan) are the service's, so the API and
the CLI refuse the same things with the same messages.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field

from proctor.api.params import RowId
from proctor.api.schema_base import Body, FromRow
from proctor.supervision.batches import MAX_EXPECTED
from proctor.supervision.records import Batch, ExamSession, SessionRoom, StaffRole
from proctor.supervision.report.terms import Level, Mode
from proctor.supervision.states import BatchState

Reason = Annotated[str, Field(max_length=1000)]


class BatchCreate(Body):
    """A batch to plan (a draft)."""

    organisation_id: RowId
    occupation_name: str = Field(max_length=200, description="职业/工种, e.g. 车工")
    occupation_code: str = Field(max_length=40, description="职业分类大典 code, e.g. 6-18-01-01")
    level: Level
    mode: Mode


class SessionCreate(Body):
    """A session (场次): a time window with a zone offset, at most a day long."""

    name: str = Field(max_length=100, description="e.g. 第一场")
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class RoomAdd(Body):
    """A room the session uses, and how many examinees it expects (the roster may change
    that count: a roster listing examinees expects exactly them)."""

    room_id: RowId
    expected_examinees: int = Field(ge=0, le=MAX_EXPECTED)


class TransitionRequest(Body):
    """Why (recorded in the audit log; required to reject), an administrator's reason to
    proceed past missed deadlines (recorded and flagged on the batch), and the filing
    number the centre gave (备案号; required to file)."""

    reason: Reason | None = None
    override: Reason | None = None
    filing_number: str | None = Field(default=None, max_length=100,
                                      description="备案号, e.g. BA-350200-2026-0123")


class SessionRoomPublic(BaseModel):
    """A room of a session, where it is, and its roster counts."""

    id: int
    room_id: int
    room_name: str
    site_id: int
    site_name: str
    expected_examinees: int
    present: int | None
    absent: int | None
    candidates: int
    examiners: int
    invigilators: int

    @classmethod
    def of(cls, row: SessionRoom) -> SessionRoomPublic:
        """The counts of a loaded session room."""
        roles = [person.role for person in row.staff]
        return cls(id=row.id, room_id=row.room_id, room_name=row.room.name,
                   site_id=row.room.site_id, site_name=row.room.site.name,
                   expected_examinees=row.expected_examinees,
                   present=row.present, absent=row.absent, candidates=len(row.candidates),
                   examiners=roles.count(StaffRole.EXAMINER),
                   invigilators=roles.count(StaffRole.INVIGILATOR))


class SessionPublic(BaseModel):
    """A session with its rooms."""

    id: int
    name: str
    starts_at: datetime
    ends_at: datetime
    rooms: list[SessionRoomPublic]

    @classmethod
    def of(cls, row: ExamSession) -> SessionPublic:
        """A loaded session with its rooms."""
        return cls(id=row.id, name=row.name, starts_at=row.starts_at, ends_at=row.ends_at,
                   rooms=[SessionRoomPublic.of(room) for room in row.rooms])


class AttendanceRecord(Body):
    """A room's attendance after its session: present (实考) + absent (缺考) = expected."""

    present: int = Field(ge=0, le=MAX_EXPECTED, description="实考人数")
    absent: int = Field(ge=0, le=MAX_EXPECTED, description="缺考人数")


class BatchSummary(FromRow[Batch]):
    """A batch as listed."""

    id: int
    organisation_id: int
    occupation_name: str
    occupation_code: str
    level: Level
    mode: Mode
    state: BatchState
    filing_number: str | None
    plan_filed_on: date | None
    publicity_started_on: date | None
    results_filed_on: date | None
    decided_at: datetime | None
    decided_by: str | None
    flags: list[dict[str, object]] = Field(description="late or skipped steps and the "
                                           "administrator overrides, each with its reason")
    created_at: datetime


class BatchPublic(BatchSummary):
    """A batch with its sessions, rooms and roster counts."""

    sessions: list[SessionPublic]

    @classmethod
    def of(cls, batch: Batch) -> BatchPublic:
        """A loaded batch in full."""
        summary = BatchSummary.model_validate(batch).model_dump()
        return cls(**summary, sessions=[SessionPublic.of(s) for s in batch.sessions])


class MissingItem(BaseModel):
    """One missing precondition of a refused transition."""

    code: str
    zh: str
    en: str


class TransitionRefusedBody(BaseModel):
    """The 409 body of a refused transition."""

    detail: str
    state: BatchState
    missing: list[MissingItem]


class RosterProblem(BaseModel):
    """A bad line of a roster file."""

    line: int
    reason: str


class RosterRejectedBody(BaseModel):
    """The 400 body of a refused roster: every bad line (nothing was imported)."""

    detail: str
    problems: list[RosterProblem]
