"""A complaint's attachments in the object store: kept under COMPLIANCE retention for as
long as footage, by key ``complaints/<id>/<n>-<sha256 prefix>``, with their sniffed type,
size and SHA-256 in the database. Nothing is written to local disk.

Attachments are checked (:func:`~proctor.complaints.intake.check_attachments`) before
anything is stored; a store failure fails the whole complaint (503), which the caller's
transaction then does not keep.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor import audit
from proctor.auth.scope import Scope
from proctor.complaints.access import handled_complaint
from proctor.db.complaints import Complaint, ComplaintAttachment
from proctor.errors import NotFound
from proctor.recording.retention import retain_until
from proctor.recording.store import ObjectStore, require_store


@dataclass(frozen=True)
class Upload:
    """One checked attachment: its bytes and the media type sniffed from them."""

    data: bytes
    media_type: str


def store_attachments(db: Session, store: ObjectStore | None, complaint: Complaint,
                      uploads: list[Upload], now: datetime, retention_years: int) -> None:
    """Store each upload under Object Lock and record it with the complaint (flushed)."""
    if not uploads:
        return
    target = require_store(store, "complaint attachments")
    for number, upload in enumerate(uploads, start=1):
        sha256 = hashlib.sha256(upload.data).hexdigest()
        key = f"complaints/{complaint.id}/{number}-{sha256[:16]}"
        stored = target.put_locked(key, upload.data, retain_until(now, retention_years),
                                   content_type=upload.media_type)
        db.add(ComplaintAttachment(
            complaint_id=complaint.id, object_key=key, version_id=stored.version_id,
            media_type=upload.media_type, size=len(upload.data), sha256=sha256,
            uploaded_at=now))
    db.flush()


def attachments_of(db: Session, complaint_id: int) -> list[ComplaintAttachment]:
    """The complaint's attachments, in the order sent."""
    return list(db.scalars(select(ComplaintAttachment)
                           .where(ComplaintAttachment.complaint_id == complaint_id)
                           .order_by(ComplaintAttachment.id)))


DOWNLOADED = "complaint.attachment_download"


def attachment_content(db: Session, store: ObjectStore | None, scope: Scope,
                       complaint_id: int, attachment_id: int) -> tuple[ComplaintAttachment,
                                                                       bytes]:
    """An attachment's bytes, for those who may handle the complaint (a photo may show who
    complained), read from the store; the download is audited."""
    handled_complaint(db, scope, complaint_id)
    row = db.get(ComplaintAttachment, attachment_id)
    if row is None or row.complaint_id != complaint_id:
        raise NotFound(f"complaint {complaint_id} has no attachment {attachment_id}")
    data = require_store(store, "complaint attachments").read(row.object_key, row.version_id)
    audit.record(db, scope.actor, DOWNLOADED, f"complaint:{complaint_id}", attachment=row.id,
                 sha256=row.sha256)
    return row, data
