"""Taking complaints in: online from anyone (rate-limited per client address, with
attachments), and by phone, letter or visit from complaint officers.

The complaint's organisation comes from its batch when one is named (and must match an
organisation also named); a room must be one of that organisation's. The first review is
due :func:`~proctor.complaints.workflow.first_review_due` working days on; when the
calendar lacks that year the due day stays unknown and the complaint is flagged, never
refused. The tracking code is returned once; the complainant keeps it.

The client address is never stored: the intake limit counts audit entries whose target is
a keyed digest of it (:func:`address_digest`), so the same address can be counted but not
read back.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor import audit
from proctor.actor import Actor, ActorRef
from proctor.auth import throttle
from proctor.auth.scope import Permission, Scope
from proctor.complaints.access import require_not_member
from proctor.complaints.attachments import Upload, store_attachments
from proctor.complaints.form import ComplaintForm
from proctor.complaints.intake import new_tracking_code
from proctor.complaints.workflow import DeadlineRules, countable, first_review_due
from proctor.db.complaints import Complaint, ComplaintChannel
from proctor.db.models import Room, Site
from proctor.db.organisations import Organisation
from proctor.errors import Forbidden, InvalidInput, NotFound, ProctorError
from proctor.recording.store import ObjectStore
from proctor.supervision.calendar import WorkingCalendar
from proctor.supervision.china_time import china_day
from proctor.supervision.records import Batch

REGISTERED, ONLINE_INTAKE = "complaint.register", "complaint.online_intake"
PUBLIC = Actor.system("public-intake")


class TooManyComplaints(ProctorError):
    """Too many online complaints from one address lately (HTTP 429 with Retry-After)."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__("too many complaints from this address lately: try again in "
                         f"{-(-retry_after_s // 60)} min, or call the complaint telephone")
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class IntakeLimit:
    """Online complaints accepted from one address within ``window``."""

    per_address: int
    window: timedelta


def address_digest(key: bytes, address: str) -> str:
    """The intake limit's audit target for a client address: a keyed digest, not the
    address."""
    digest = hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:24]
    return throttle.address_target("~" + digest)


def _organisation_of(db: Session, form: ComplaintForm) -> int:
    """The organisation complained about, checked against the batch and room named."""
    organisation_id = form.organisation_id
    if form.batch_id is not None:
        batch = db.get(Batch, form.batch_id)
        if batch is None:
            raise NotFound(f"batch {form.batch_id} does not exist: check the publicity notice")
        if organisation_id not in (None, batch.organisation_id):
            raise InvalidInput(f"batch {batch.id} is not a batch of organisation "
                               f"{organisation_id}: name either, or both correctly")
        organisation_id = batch.organisation_id
    assert organisation_id is not None  # the form requires one of them
    if db.get(Organisation, organisation_id) is None:
        raise NotFound(f"organisation {organisation_id} does not exist")
    if form.room_id is not None:
        room = db.get(Room, form.room_id)
        site = db.get(Site, room.site_id) if room is not None else None
        if site is None or site.organisation_id != organisation_id:
            raise InvalidInput(f"room {form.room_id} is not a room of organisation "
                               f"{organisation_id}: leave it out or correct it")
    return organisation_id


def register(db: Session, calendar: WorkingCalendar, rules: DeadlineRules,
             form: ComplaintForm, channel: ComplaintChannel, actor: ActorRef,
             now: datetime) -> Complaint:
    """Add the complaint (flushed, audited; the caller commits)."""
    organisation_id = _organisation_of(db, form)
    complaint = Complaint(
        tracking_code=new_tracking_code(), organisation_id=organisation_id,
        batch_id=form.batch_id, room_id=form.room_id, seat=form.seat or "",
        candidate=form.candidate or "", incident_from=form.incident_from,
        incident_to=form.incident_to, text=form.text,
        complainant_name=form.complainant_name or "",
        complainant_contact=form.complainant_contact or "", channel=channel,
        registered_by=str(actor), registered_at=now,
        first_review_due=countable(lambda: first_review_due(calendar, rules, china_day(now))))
    db.add(complaint)
    db.flush()
    audit.record(db, actor, REGISTERED, f"complaint:{complaint.id}", channel=channel.value,
                 organisation=organisation_id, batch=form.batch_id,
                 anonymous=not form.complainant_name)
    return complaint


def check_intake_limit(db: Session, address_target: str, limit: IntakeLimit,
                       now: datetime) -> None:
    """Raise :class:`TooManyComplaints` when the address has used up its limit."""
    wait_s = throttle.action_retry_after(db, ONLINE_INTAKE, address_target,
                                         limit.per_address, limit.window, now)
    if wait_s is not None:
        raise TooManyComplaints(wait_s)


def register_online(db: Session, store: ObjectStore | None, calendar: WorkingCalendar,
                    rules: DeadlineRules, form: ComplaintForm, uploads: list[Upload],
                    address_target: str, limit: IntakeLimit, now: datetime,
                    retention_years: int) -> Complaint:
    """A complaint from the public page, with its (already checked) attachments stored
    under Object Lock; :class:`TooManyComplaints` past the address's limit. Committed."""
    with throttle.address_lock(address_target):
        check_intake_limit(db, address_target, limit, now)
        complaint = register(db, calendar, rules, form, ComplaintChannel.ONLINE, PUBLIC, now)
        store_attachments(db, store, complaint, uploads, now, retention_years)
        audit.record(db, PUBLIC, ONLINE_INTAKE, address_target, complaint=complaint.id)
        db.commit()
    return complaint


def register_by_officer(db: Session, scope: Scope, calendar: WorkingCalendar,
                        rules: DeadlineRules, form: ComplaintForm, channel: ComplaintChannel,
                        now: datetime) -> Complaint:
    """A complaint made by phone, letter or visit, registered by an officer who may handle
    complaints about its organisation (in scope, not a member of it)."""
    scope.require(Permission.HANDLE_COMPLAINTS)
    if channel is ComplaintChannel.ONLINE:
        raise InvalidInput("online complaints come through the public page; register "
                           "phone, letter or visit complaints here")
    organisation_id = _organisation_of(db, form)
    if not scope.everywhere and organisation_id not in db.scalars(
            select(Site.organisation_id).where(Site.id.in_(scope.site_ids))).all():
        raise Forbidden(f"organisation {organisation_id} is outside the scope of user "
                        f"'{scope.username}': an officer of its region registers it")
    require_not_member(db, scope, organisation_id)
    return register(db, calendar, rules, form, channel, scope.actor, now)
