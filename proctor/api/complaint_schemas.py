"""Bodies of the complaint routes (投诉举报) and of the publicity notice (公示).

Responses about a complaint carry the complainant only when the caller may see it
(``complainant`` null and ``anonymous`` null otherwise: redacted); the complainant's own
view by tracking code carries state, dates and result only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from proctor.complaints.form import ComplaintForm
from proctor.complaints.views import (
    Complainant,
    ComplaintDetail,
    ComplaintView,
    PublicStatus,
)
from proctor.complaints.workflow import STATE_LABELS, DeadlineFlag
from proctor.db.complaints import (
    ComplaintAttachment,
    ComplaintChannel,
    ComplaintClip,
    ComplaintExtension,
    ComplaintState,
)
from proctor.supervision.report.text import Paragraph, Second


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ComplaintReceipt(_Out):
    """What the complainant gets back: the tracking code (keep it) and the first due day."""

    tracking_code: str
    state: ComplaintState
    first_review_due: date | None
    status_url: str


class IntakeRulesBody(BaseModel):
    """What the public complaint form accepts, stated before anything is sent."""

    max_attachments: int
    max_attachment_bytes: int
    accepted_types: list[str]  # judged by the file's bytes, not its name
    per_address: int  # complaints accepted from one address within the window
    window_minutes: float
    first_review_working_days: int  # a complaint is first reviewed within these
    resolution_working_days: int  # and resolved within these after (extendable)


class PublicStatusBody(_Out):
    """The complainant's view of the progress."""

    tracking_code: str
    state: ComplaintState
    state_label: str
    registered_on: date
    first_review_due: date | None
    first_reviewed_on: date | None
    accepted: bool | None
    resolution_due: date | None
    resolved_on: date | None
    result: str | None
    closed_on: date | None

    @classmethod
    def of(cls, status: PublicStatus) -> PublicStatusBody:
        """The body of a status."""
        return cls.model_validate(status)


class ComplainantBody(_Out):
    """Who complained (name "" : anonymous)."""

    name: str
    contact: str


class ComplaintBody(BaseModel):
    """A complaint as an officer, operator or auditor in scope reads it."""

    id: int
    tracking_code: str | None  # only for those who see the complainant
    organisation_id: int
    batch_id: int | None
    room_id: int | None
    seat: str
    candidate: str
    incident_from: datetime | None
    incident_to: datetime | None
    text: str
    channel: ComplaintChannel
    state: ComplaintState
    state_label: str
    registered_at: datetime
    handling_officer_id: int | None
    first_review_due: date | None
    first_reviewed_at: datetime | None
    first_review_note: str
    resolution_due: date | None
    resolved_at: datetime | None
    resolution: str
    substantiated: bool | None
    requires_amended_report: bool
    closed_at: datetime | None
    flag: DeadlineFlag | None
    complainant: ComplainantBody | None
    anonymous: bool | None

    @classmethod
    def of(cls, view: ComplaintView) -> ComplaintBody:
        """The body of a view (the complainant as the view allows)."""
        c = view.complaint
        person: Complainant | None = view.complainant
        return cls(
            id=c.id, tracking_code=c.tracking_code if person else None,
            organisation_id=c.organisation_id, batch_id=c.batch_id, room_id=c.room_id,
            seat=c.seat, candidate=c.candidate, incident_from=c.incident_from,
            incident_to=c.incident_to, text=c.text, channel=c.channel, state=c.state,
            state_label=STATE_LABELS[c.state], registered_at=c.registered_at,
            handling_officer_id=c.handling_officer_id, first_review_due=c.first_review_due,
            first_reviewed_at=c.first_reviewed_at, first_review_note=c.first_review_note,
            resolution_due=c.resolution_due, resolved_at=c.resolved_at,
            resolution=c.resolution, substantiated=c.substantiated,
            requires_amended_report=c.requires_amended_report, closed_at=c.closed_at,
            flag=view.flag,
            complainant=ComplainantBody.model_validate(person) if person else None,
            anonymous=view.anonymous)


class ExtensionBody(_Out):
    """An extension of the resolution deadline."""

    id: int
    working_days: int
    previous_due: date
    new_due: date
    reason: str
    extended_by: str
    extended_at: datetime

    @classmethod
    def of(cls, row: ComplaintExtension) -> ExtensionBody:
        """The body of a row."""
        return cls.model_validate(row)


class AttachmentBody(_Out):
    """An attachment kept in the object store."""

    id: int
    media_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class ClipBody(_Out):
    """Footage attached to the complaint, held by a legal hold."""

    id: int
    camera_id: int
    starts_at: datetime
    ends_at: datetime
    legal_hold_id: int
    note: str
    attached_by: str
    attached_at: datetime

    @classmethod
    def of(cls, row: ComplaintClip) -> ClipBody:
        """The body of a row."""
        return cls.model_validate(row)


class ComplaintDetailBody(ComplaintBody):
    """A complaint with its extensions, attachments and clips."""

    extensions: list[ExtensionBody]
    attachments: list[AttachmentBody]
    clips: list[ClipBody]

    @classmethod
    def of_detail(cls, detail: ComplaintDetail) -> ComplaintDetailBody:
        """The body of a detail."""
        base = ComplaintBody.of(detail.view).model_dump()
        return cls(**base, extensions=[ExtensionBody.of(e) for e in detail.extensions],
                   attachments=[_attachment(a) for a in detail.attachments],
                   clips=[ClipBody.of(c) for c in detail.clips])


def _attachment(row: ComplaintAttachment) -> AttachmentBody:
    return AttachmentBody.model_validate(row)


Note = Annotated[str, Field(max_length=4000)]


class OfficerComplaint(ComplaintForm):
    """A complaint made by phone, letter or visit, as the officer registers it."""

    channel: ComplaintChannel


class ReviewRequest(_Body):
    """The first review: accepted for handling, or not (the note then is the result)."""

    accepted: bool
    note: Paragraph


class InvestigateRequest(_Body):
    """Why the investigation starts (optional)."""

    note: Note = ""


class ClipCreate(_Body):
    """Footage to attach: it is held (legal hold) at once."""

    camera_id: int = Field(ge=1, le=2**63 - 1)
    starts_at: Second
    ends_at: Second
    note: Note = ""


class ExtensionCreate(_Body):
    """More working days for the resolution, with the reason."""

    working_days: int = Field(ge=1, le=60)
    reason: Paragraph


class ResolutionCreate(_Body):
    """The result given to the complainant."""

    result: Paragraph
    substantiated: bool
    requires_amended_report: bool = False
