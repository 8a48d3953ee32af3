"""Complaints (投诉举报) for those who read and handle them.

Reading needs ``read_complaints`` (operators, officers, auditors, administrators) and the
complaint's organisation in scope; the complainant is redacted unless the caller may handle
it. Registering phone, letter and visit complaints and every handling step need
``handle_complaints`` and the caller must not belong to the organisation (回避, 403). A step
the complaint's state does not allow answers 409 naming the state.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from proctor.api.complaint_schemas import (
    ClipBody,
    ClipCreate,
    ComplaintBody,
    ComplaintDetailBody,
    ExtensionBody,
    ExtensionCreate,
    InvestigateRequest,
    OfficerComplaint,
    ResolutionCreate,
    ReviewRequest,
)
from proctor.api.deps import CurrentScope, SessionDep, SettingsDep, StoreDep, require_permission
from proctor.api.params import Id
from proctor.auth.scope import Permission
from proctor.complaints import attachments, handling, registration, views
from proctor.complaints.form import ComplaintForm
from proctor.complaints.views import ComplaintFilter
from proctor.db.base import utcnow
from proctor.db.complaints import ComplaintState
from proctor.supervision.calendar_service import load_calendar

router = APIRouter(prefix="/api", tags=["complaints"])
READ = [Depends(require_permission(Permission.READ_COMPLAINTS))]
HANDLE = [Depends(require_permission(Permission.HANDLE_COMPLAINTS))]
MAX_ID = 2**63 - 1


@router.get("/complaints", dependencies=READ)
def list_complaints(
        db: SessionDep, scope: CurrentScope, state: ComplaintState | None = None,
        batch_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
        organisation_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
        open_only: bool = False, limit: Annotated[int, Query(ge=1, le=500)] = 100,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> list[ComplaintBody]:
    """The complaints in scope, newest first, each with its deadline flag."""
    where = ComplaintFilter(state, batch_id, organisation_id, open_only, limit, offset)
    rows = views.list_complaints(db, scope, load_calendar(db), where, utcnow())
    return [ComplaintBody.of(v) for v in rows]


@router.post("/complaints", status_code=status.HTTP_201_CREATED, dependencies=HANDLE)
def register_complaint(body: OfficerComplaint, db: SessionDep, scope: CurrentScope,
                       settings: SettingsDep) -> ComplaintBody:
    """Register a complaint made by phone, letter or visit."""
    form = ComplaintForm.model_validate(body.model_dump(exclude={"channel"}))
    calendar = load_calendar(db)
    complaint = registration.register_by_officer(
        db, scope, calendar, settings.complaint_deadlines(), form, body.channel, utcnow())
    return ComplaintBody.of(views.show_complaint(db, scope, calendar, complaint.id,
                                                 utcnow()).view)


@router.get("/complaints/{complaint_id}", dependencies=READ)
def show_complaint(complaint_id: Id, db: SessionDep,
                   scope: CurrentScope) -> ComplaintDetailBody:
    """One complaint with its extensions, attachments and clips."""
    detail = views.show_complaint(db, scope, load_calendar(db), complaint_id, utcnow())
    return ComplaintDetailBody.of_detail(detail)


def _shown(db: SessionDep, scope: CurrentScope, complaint_id: int) -> ComplaintDetailBody:
    return show_complaint(complaint_id, db, scope)


@router.get("/complaints/{complaint_id}/attachments/{attachment_id}", dependencies=HANDLE,
            response_class=Response, responses={200: {"content": {
                "image/jpeg": {}, "image/png": {}, "image/webp": {}, "application/pdf": {}}}})
def attachment(complaint_id: Id, attachment_id: Id, db: SessionDep, scope: CurrentScope,
               store: StoreDep) -> Response:
    """An attachment as sent (its type as sniffed), for those who handle the complaint."""
    row, data = attachments.attachment_content(db, store, scope, complaint_id, attachment_id)
    return Response(data, media_type=row.media_type, headers={
        "Content-Disposition": f'attachment; filename="complaint-{complaint_id}-{row.id}"',
        "X-Content-Type-Options": "nosniff"})


@router.post("/complaints/{complaint_id}/review", dependencies=HANDLE)
def review(complaint_id: Id, body: ReviewRequest, db: SessionDep, scope: CurrentScope,
           settings: SettingsDep) -> ComplaintDetailBody:
    """The first review (初审): accept for handling, or not (the note is then the result)."""
    handling.review(db, scope, load_calendar(db), settings.complaint_deadlines(),
                    complaint_id, body.accepted, body.note, utcnow())
    return _shown(db, scope, complaint_id)


@router.post("/complaints/{complaint_id}/investigate", dependencies=HANDLE)
def investigate(complaint_id: Id, body: InvestigateRequest, db: SessionDep,
                scope: CurrentScope) -> ComplaintDetailBody:
    """Start the investigation."""
    handling.investigate(db, scope, complaint_id, body.note)
    return _shown(db, scope, complaint_id)


@router.post("/complaints/{complaint_id}/clips", status_code=status.HTTP_201_CREATED,
             dependencies=HANDLE)
def attach_clip(complaint_id: Id, body: ClipCreate, db: SessionDep, scope: CurrentScope,
                store: StoreDep) -> ClipBody:
    """Attach footage (a camera and a range) and hold it at once (legal hold)."""
    clip = handling.ClipRequest(body.camera_id, body.starts_at, body.ends_at, body.note)
    return ClipBody.of(handling.attach_clip(db, store, scope, complaint_id, clip))


@router.post("/complaints/{complaint_id}/extensions", status_code=status.HTTP_201_CREATED,
             dependencies=HANDLE)
def extend(complaint_id: Id, body: ExtensionCreate, db: SessionDep,
           scope: CurrentScope) -> ExtensionBody:
    """Move the resolution deadline on by some working days, with the reason."""
    return ExtensionBody.of(handling.extend(db, scope, load_calendar(db), complaint_id,
                                            body.working_days, body.reason))


@router.post("/complaints/{complaint_id}/resolve", dependencies=HANDLE)
def resolve(complaint_id: Id, body: ResolutionCreate, db: SessionDep,
            scope: CurrentScope) -> ComplaintDetailBody:
    """Give the result; it may require an amended 督导报告 of the batch."""
    handling.resolve(db, scope, complaint_id, handling.Resolution(
        body.result, body.substantiated, body.requires_amended_report), utcnow())
    return _shown(db, scope, complaint_id)


@router.post("/complaints/{complaint_id}/close", dependencies=HANDLE)
def close(complaint_id: Id, db: SessionDep, scope: CurrentScope) -> ComplaintDetailBody:
    """Close and archive the complaint (办结)."""
    handling.close(db, scope, complaint_id, utcnow())
    return _shown(db, scope, complaint_id)
