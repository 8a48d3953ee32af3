"""Handling a complaint: first review, investigation (with clips held at once), extensions,
resolution and closing. Each step is checked by the workflow (409 naming the state), done
by an officer who may handle the complaint (:func:`~proctor.complaints.access.
handled_complaint`: in scope, not a member of the organisation) and audited.

A clip is a camera and a time range: of the complaint's batch (within one session window
whose rooms hold the camera), or, without a batch, of a camera at a site of the
organisation. Attaching it places a legal hold on that footage at once
(:func:`~proctor.recording.legal_hold.place_hold`, which sets the S3 legal hold on every
stored version it covers), so nothing can delete it while the complaint stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from proctor import audit
from proctor.auth.scope import Permission, Scope, camera_in_scope
from proctor.complaints.access import handled_complaint
from proctor.complaints.workflow import (
    ComplaintAction,
    DeadlineRules,
    countable,
    extended_due,
    require_action,
    resolution_due,
    review_outcome,
    target_of,
)
from proctor.db.complaints import Complaint, ComplaintClip, ComplaintExtension, ComplaintState
from proctor.errors import Conflict, InvalidInput
from proctor.recording.legal_hold import place_hold
from proctor.recording.store import ObjectStore, require_store
from proctor.supervision.batch_cameras import session_cameras, session_holding
from proctor.supervision.calendar import WorkingCalendar
from proctor.supervision.china_time import china_day
from proctor.supervision.records import Batch

STEP = "complaint.{}"  # audit actions: complaint.review, complaint.resolve, ...


def _step(db: Session, scope: Scope, complaint_id: int,
          action: ComplaintAction) -> Complaint:
    """The complaint, if the caller may handle it and ``action`` fits its state."""
    complaint = handled_complaint(db, scope, complaint_id)
    require_action(complaint.state, action)
    return complaint


def _audit(db: Session, scope: Scope, complaint: Complaint, action: ComplaintAction,
           **detail: object) -> None:
    audit.record(db, scope.actor, STEP.format(action.value), f"complaint:{complaint.id}",
                 state=complaint.state.value, **detail)


def review(db: Session, scope: Scope, calendar: WorkingCalendar, rules: DeadlineRules,
           complaint_id: int, accepted: bool, note: str, now: datetime) -> Complaint:
    """The first review (初审): accepted, the resolution is due in working days and the
    reviewer handles it; not accepted (不予受理), the note is the result."""
    complaint = _step(db, scope, complaint_id, ComplaintAction.REVIEW)
    complaint.state = review_outcome(accepted)
    complaint.first_reviewed_at, complaint.first_review_note = now, note
    complaint.handling_officer_id = scope.user_id
    if accepted:
        complaint.resolution_due = countable(
            lambda: resolution_due(calendar, rules, china_day(now)))
    else:
        complaint.resolved_at, complaint.resolution = now, note
    _audit(db, scope, complaint, ComplaintAction.REVIEW, accepted=accepted, note=note)
    return complaint


def investigate(db: Session, scope: Scope, complaint_id: int, note: str) -> Complaint:
    """Start the investigation."""
    complaint = _step(db, scope, complaint_id, ComplaintAction.INVESTIGATE)
    complaint.state = target_of(ComplaintAction.INVESTIGATE)
    _audit(db, scope, complaint, ComplaintAction.INVESTIGATE, note=note)
    return complaint


@dataclass(frozen=True)
class ClipRequest:
    """Footage to attach: one camera, a time range, why."""

    camera_id: int
    starts_at: datetime
    ends_at: datetime
    note: str = ""


def _check_clip_place(db: Session, scope: Scope, complaint: Complaint,
                      clip: ClipRequest) -> None:
    """The caller may hold the camera's footage, and camera and range belong to the
    complaint."""
    camera = camera_in_scope(db, scope, clip.camera_id, Permission.EXPORT_EVIDENCE)
    if complaint.batch_id is not None:
        batch = db.get(Batch, complaint.batch_id)
        assert batch is not None  # a foreign key
        session_holding(batch, session_cameras(db, batch), {camera.id}, clip.starts_at,
                        clip.ends_at)
    else:
        if camera.room.site.organisation_id != complaint.organisation_id:
            raise InvalidInput(f"camera {camera.id} is not at a site of organisation "
                               f"{complaint.organisation_id}, which the complaint is about")
        if clip.ends_at <= clip.starts_at:
            raise InvalidInput("a clip must end after it starts")


def attach_clip(db: Session, store: ObjectStore | None, scope: Scope, complaint_id: int,
                clip: ClipRequest) -> ComplaintClip:
    """Attach the footage and place a legal hold on it at once (committed)."""
    complaint = _step(db, scope, complaint_id, ComplaintAction.ATTACH_CLIP)
    _check_clip_place(db, scope, complaint, clip)
    hold, _held = place_hold(
        db, require_store(store, "legal holds"), clip.camera_id,
        int(clip.starts_at.timestamp() * 1000), int(clip.ends_at.timestamp() * 1000),
        f"投诉 #{complaint.id}", scope.actor)
    row = ComplaintClip(complaint_id=complaint.id, camera_id=clip.camera_id,
                        starts_at=clip.starts_at, ends_at=clip.ends_at,
                        legal_hold_id=hold.id, note=clip.note, attached_by=scope.actor)
    db.add(row)
    db.flush()
    _audit(db, scope, complaint, ComplaintAction.ATTACH_CLIP, camera=clip.camera_id,
           legal_hold=hold.id, starts_at=clip.starts_at.isoformat(),
           ends_at=clip.ends_at.isoformat())
    db.commit()
    return row


def extend(db: Session, scope: Scope, calendar: WorkingCalendar, complaint_id: int,
           working_days: int, reason: str) -> ComplaintExtension:
    """Move the resolution deadline on by ``working_days``, with the reason."""
    complaint = _step(db, scope, complaint_id, ComplaintAction.EXTEND)
    previous = complaint.resolution_due
    if previous is None:
        raise Conflict(f"complaint {complaint.id} has no countable resolution deadline yet: "
                       "enter the missing calendar year first")
    new_due = extended_due(calendar, previous, working_days)
    complaint.resolution_due = new_due
    row = ComplaintExtension(complaint_id=complaint.id, working_days=working_days,
                             previous_due=previous, new_due=new_due, reason=reason,
                             extended_by=scope.actor)
    db.add(row)
    _audit(db, scope, complaint, ComplaintAction.EXTEND, working_days=working_days,
           previous_due=previous.isoformat(), new_due=new_due.isoformat(), reason=reason)
    return row


@dataclass(frozen=True)
class Resolution:
    """The result given to the complainant, and what follows for the batch."""

    result: str
    substantiated: bool
    requires_amended_report: bool = False


def resolve(db: Session, scope: Scope, complaint_id: int, resolution: Resolution,
            now: datetime) -> Complaint:
    """Give the result (处理结果). With ``requires_amended_report`` the batch's results
    gate stays closed until a report version signed after now exists."""
    complaint = _step(db, scope, complaint_id, ComplaintAction.RESOLVE)
    if resolution.requires_amended_report and complaint.batch_id is None:
        raise InvalidInput("only a complaint about a batch can require an amended report")
    complaint.state = target_of(ComplaintAction.RESOLVE)
    complaint.resolved_at, complaint.resolution = now, resolution.result
    complaint.substantiated = resolution.substantiated
    complaint.requires_amended_report = resolution.requires_amended_report
    _audit(db, scope, complaint, ComplaintAction.RESOLVE, substantiated=resolution.substantiated,
           requires_amended_report=resolution.requires_amended_report)
    return complaint


def close(db: Session, scope: Scope, complaint_id: int, now: datetime) -> Complaint:
    """Close and archive the complaint (办结); its clips stay held until lifted by hand."""
    complaint = _step(db, scope, complaint_id, ComplaintAction.CLOSE)
    complaint.state = ComplaintState.CLOSED
    complaint.closed_at = now
    _audit(db, scope, complaint, ComplaintAction.CLOSE)
    return complaint
