"""Reading complaints: the officers' and operators' view (complainant redacted unless the
caller may see it, each view of it audited), and the complainant's own view by tracking
code, which shows the state, the dates and the result, and nothing internal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor import audit
from proctor.auth.scope import Permission, Scope
from proctor.complaints.access import (
    member_organisations,
    readable_complaint,
    scoped_complaints,
    sees_complainant,
)
from proctor.complaints.attachments import attachments_of
from proctor.complaints.intake import is_tracking_code
from proctor.complaints.workflow import STATE_LABELS, DeadlineFlag, DueFacts, deadline_flag
from proctor.db.complaints import (
    Complaint,
    ComplaintAttachment,
    ComplaintClip,
    ComplaintExtension,
    ComplaintState,
)
from proctor.errors import NotFound
from proctor.supervision.calendar import WorkingCalendar
from proctor.supervision.china_time import china_day

IDENTITY_VIEWED = "complaint.view_complainant"
REDACTED = "（已隐去）"


@dataclass(frozen=True)
class Complainant:
    """Who complained ("" name: anonymous)."""

    name: str
    contact: str


@dataclass(frozen=True)
class ComplaintView:
    """A complaint as a caller in scope reads it."""

    complaint: Complaint
    flag: DeadlineFlag | None
    complainant: Complainant | None  # None: redacted for this caller
    anonymous: bool | None  # None: redacted too (knowing it would narrow who complained)


@dataclass(frozen=True)
class ComplaintDetail:
    """A complaint with its extensions, attachments and clips."""

    view: ComplaintView
    extensions: list[ComplaintExtension]
    attachments: list[ComplaintAttachment]
    clips: list[ComplaintClip]


def flag_of(calendar: WorkingCalendar, complaint: Complaint, now: datetime) -> DeadlineFlag | None:
    """The complaint's deadline flag at ``now``."""
    facts = DueFacts(complaint.state, complaint.first_review_due, complaint.resolution_due)
    return deadline_flag(calendar, facts, china_day(now))


def _view(scope: Scope, members: frozenset[int], calendar: WorkingCalendar,
          complaint: Complaint, now: datetime) -> ComplaintView:
    shown = sees_complainant(scope, members, complaint)
    person = Complainant(complaint.complainant_name, complaint.complainant_contact)
    return ComplaintView(complaint, flag_of(calendar, complaint, now),
                         person if shown else None,
                         not complaint.complainant_name if shown else None)


def _audit_identity(db: Session, scope: Scope, views: list[ComplaintView]) -> None:
    """Record that the caller saw who made each complaint (anonymous ones reveal none)."""
    seen = [v.complaint.id for v in views if v.complainant is not None and not v.anonymous]
    if seen:
        audit.record(db, scope.actor, IDENTITY_VIEWED, "complaints", complaints=seen)


@dataclass(frozen=True)
class ComplaintFilter:
    """Optional conditions of a listing, and the page."""

    state: ComplaintState | None = None
    batch_id: int | None = None
    organisation_id: int | None = None
    open_only: bool = False
    limit: int = 100
    offset: int = 0


def list_complaints(db: Session, scope: Scope, calendar: WorkingCalendar,
                    where: ComplaintFilter, now: datetime) -> list[ComplaintView]:
    """The complaints in scope matching ``where``, newest first."""
    scope.require(Permission.READ_COMPLAINTS)
    query = scoped_complaints(scope)
    for value, column in ((where.state, Complaint.state), (where.batch_id, Complaint.batch_id),
                          (where.organisation_id, Complaint.organisation_id)):
        if value is not None:
            query = query.where(column == value)
    if where.open_only:
        query = query.where(Complaint.state != ComplaintState.CLOSED)
    members = member_organisations(db, scope.user_id)
    views = [_view(scope, members, calendar, c, now)
             for c in db.scalars(query.limit(where.limit).offset(where.offset))]
    _audit_identity(db, scope, views)
    return views


def show_complaint(db: Session, scope: Scope, calendar: WorkingCalendar, complaint_id: int,
                   now: datetime) -> ComplaintDetail:
    """One complaint in scope, with its extensions, attachments and clips."""
    complaint = readable_complaint(db, scope, complaint_id)
    view = _view(scope, member_organisations(db, scope.user_id), calendar, complaint, now)
    _audit_identity(db, scope, [view])
    return ComplaintDetail(
        view,
        list(db.scalars(select(ComplaintExtension)
                        .where(ComplaintExtension.complaint_id == complaint.id)
                        .order_by(ComplaintExtension.id))),
        attachments_of(db, complaint.id),
        list(db.scalars(select(ComplaintClip).where(ComplaintClip.complaint_id == complaint.id)
                        .order_by(ComplaintClip.id))))


@dataclass(frozen=True)
class PublicStatus:
    """What the complainant sees by tracking code."""

    tracking_code: str
    state: ComplaintState
    state_label: str
    registered_on: date
    first_review_due: date | None
    first_reviewed_on: date | None
    accepted: bool | None  # None until first review
    resolution_due: date | None
    resolved_on: date | None
    result: str | None  # the result, once given
    closed_on: date | None


def _day(moment: datetime | None) -> date | None:
    return china_day(moment) if moment is not None else None


def public_status(db: Session, tracking_code: str) -> PublicStatus:
    """The complaint's progress for whoever holds its tracking code (404 otherwise)."""
    code = tracking_code.strip().upper()
    complaint = db.scalar(select(Complaint).where(Complaint.tracking_code == code)) \
        if is_tracking_code(code) else None
    if complaint is None:
        raise NotFound("no complaint has this tracking code (查询码): check it and retry")
    reviewed = complaint.first_reviewed_at is not None
    return PublicStatus(
        tracking_code=code, state=complaint.state, state_label=STATE_LABELS[complaint.state],
        registered_on=china_day(complaint.registered_at),
        first_review_due=complaint.first_review_due,
        first_reviewed_on=_day(complaint.first_reviewed_at),
        # a review that does not accept resolves the complaint at the same moment
        accepted=complaint.resolved_at != complaint.first_reviewed_at if reviewed else None,
        resolution_due=complaint.resolution_due, resolved_on=_day(complaint.resolved_at),
        result=complaint.resolution if complaint.resolved_at is not None else None,
        closed_on=_day(complaint.closed_at))
