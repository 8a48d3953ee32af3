"""Certification batches (认定批次): plan, roster and move them through their states.

Administrators manage batches; every user may read the batches within their scope
(:mod:`proctor.supervision.batch_access`). A refused transition answers 409 with the
current state and every missing item; a refused roster answers 400 with every bad line.
A room's attendance is recorded after its session by the batch's reviewers.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from proctor.actor import Actor
from proctor.api.batch_schemas import (
    AttendanceRecord,
    BatchCreate,
    BatchPublic,
    BatchSummary,
    RoomAdd,
    RosterRejectedBody,
    SessionCreate,
    SessionPublic,
    SessionRoomPublic,
    TransitionRefusedBody,
    TransitionRequest,
)
from proctor.api.bodies import read_limited
from proctor.api.deps import CurrentScope, CurrentUser, SessionDep, SettingsDep, require_permission
from proctor.api.organisation_schemas import MAX_ID
from proctor.api.params import Id
from proctor.auth.scope import Permission
from proctor.db.base import utcnow
from proctor.supervision import batches, lifecycle, roster, roster_service
from proctor.supervision.attendance import Attendance, record_attendance
from proctor.supervision.batch_access import BatchFilter, batch_in_scope, list_batches
from proctor.supervision.batch_deadlines import Deadline, batch_deadlines
from proctor.supervision.china_time import china_day
from proctor.supervision.report.terms import Level, Mode
from proctor.supervision.states import Action, BatchState

router = APIRouter(prefix="/api", tags=["batches"])
MANAGE = [Depends(require_permission(Permission.MANAGE_DIRECTORY))]
CREATED = status.HTTP_201_CREATED
CSV_BODY = {"requestBody": {"required": True, "content": {"text/csv": {"schema": {
    "type": "string", "description": "header 身份,编号,姓名,座位; UTF-8 (BOM allowed) or "
    "GB18030"}}}}}


@router.post("/batches", status_code=CREATED, dependencies=MANAGE)
def create_batch(body: BatchCreate, db: SessionDep, user: CurrentUser) -> BatchPublic:
    """Plan a batch of an organisation (a draft)."""
    batch = batches.create_batch(db, Actor.user(user.id), body.organisation_id,
                                 body.occupation_name, body.occupation_code, body.level,
                                 body.mode)
    return BatchPublic.of(batch)


@router.get("/batches")
def list_batches_in_scope(
    db: SessionDep, scope: CurrentScope, organisation_id: Annotated[int | None, Query(
        ge=1, le=MAX_ID)] = None, state: BatchState | None = None, level: Level | None = None,
    mode: Mode | None = None, occupation_code: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> list[BatchSummary]:
    """The batches within the caller's scope, by id, filtered."""
    where = BatchFilter(organisation_id, state, level, mode, occupation_code, limit, offset)
    return [BatchSummary.model_validate(b) for b in list_batches(db, scope, where)]


@router.get("/batches/{batch_id}")
def get_batch(batch_id: Id, db: SessionDep, scope: CurrentScope) -> BatchPublic:
    """A batch with its sessions, rooms and roster counts."""
    return BatchPublic.of(batch_in_scope(db, scope, batch_id))


@router.get("/batches/{batch_id}/deadlines")
def get_deadlines(batch_id: Id, db: SessionDep, scope: CurrentScope,
                  settings: SettingsDep) -> list[Deadline]:
    """The batch's working-day deadlines as they stand today (China time): plan filing once
    it has a session, publicity and results filing once publicity started; a step in a
    calendar year not entered names that year instead of a guess."""
    return batch_deadlines(db, scope, batch_id, settings.deadline_rules(), china_day(utcnow()))


@router.post("/batches/{batch_id}/sessions", status_code=CREATED, dependencies=MANAGE)
def add_session(batch_id: Id, body: SessionCreate, db: SessionDep,
                user: CurrentUser) -> SessionPublic:
    """Add a session (场次) to a draft batch."""
    session = batches.add_session(db, Actor.user(user.id), batch_id, body.name,
                                  body.starts_at, body.ends_at)
    return SessionPublic.of(session)


@router.post("/sessions/{session_id}/rooms", status_code=CREATED, dependencies=MANAGE)
def add_room(session_id: Id, body: RoomAdd, db: SessionDep,
             user: CurrentUser) -> SessionRoomPublic:
    """Use a room in a session of a draft batch (free in the window, the organisation's)."""
    row = batches.add_room(db, Actor.user(user.id), session_id, body.room_id,
                           body.expected_examinees)
    return SessionRoomPublic.of(row)


async def roster_file(request: Request) -> bytes:
    """The uploaded roster file (413 above its limit, never buffered beyond it)."""
    return await read_limited(request, roster.MAX_BYTES, "roster file")


@router.put("/session-rooms/{session_room_id}/roster", dependencies=MANAGE,
            openapi_extra=CSV_BODY, responses={400: {"model": RosterRejectedBody}})
def import_roster(session_room_id: Id, data: Annotated[bytes, Depends(roster_file)],
                  db: SessionDep, user: CurrentUser) -> SessionRoomPublic:
    """Replace a room's roster with a CSV file: all lines or none (413 above the limit)."""
    row = roster_service.import_roster(db, Actor.user(user.id), session_room_id, data)
    return SessionRoomPublic.of(row)


@router.put("/session-rooms/{session_room_id}/attendance")
def put_attendance(session_room_id: Id, body: AttendanceRecord, db: SessionDep,
                   scope: CurrentScope) -> SessionRoomPublic:
    """Record a room's attendance after its session (the batch's reviewers; audited)."""
    row = record_attendance(db, Actor.user(scope.user_id), session_room_id,
                            Attendance(body.present, body.absent), scope)
    return SessionRoomPublic.of(row)


@router.post("/batches/{batch_id}/transitions/{action}", dependencies=MANAGE,
             responses={409: {"model": TransitionRefusedBody}})
def transition(batch_id: Id, action: Action, db: SessionDep, user: CurrentUser,
               settings: SettingsDep, body: TransitionRequest | None = None) -> BatchPublic:
    """Move the batch on by ``action``; 409 names the state and every missing item."""
    request = body or TransitionRequest()
    batch = lifecycle.transition(db, Actor.user(user.id), batch_id, action,
                                 settings.deadline_rules(), request.reason, request.override,
                                 gap_tolerance_s=settings.coverage_gap_tolerance_seconds,
                                 filing_number=request.filing_number)
    return BatchPublic.of(batch)
