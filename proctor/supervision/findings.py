"""Manual findings of a batch's review (督导发现): what a reviewer saw that no event says.

A finding names one or more cameras of the batch and a time range to the second that lies
within the window of one session whose rooms hold every named camera
(:func:`~proctor.supervision.batch_cameras.session_holding`), a checklist category
(:class:`~proctor.supervision.report.terms.CheckItem`), a severity and a note. Findings
point at footage; they never change or delete it. Adding one is audited and shows in the
batch's report draft at once. Events a drawn supervisor confirms are findings of the
report too, derived rather than stored (:mod:`~proctor.supervision.event_findings`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor import audit
from proctor.actor import Actor
from proctor.auth.scope import Scope
from proctor.errors import InvalidInput
from proctor.supervision.batch_cameras import session_cameras, session_holding
from proctor.supervision.notes import clean_note
from proctor.supervision.oversight import Finding
from proctor.supervision.report.terms import CheckItem, Severity
from proctor.supervision.report_service import refresh_findings
from proctor.supervision.review_access import reviewable_batch

ADDED = "batch.finding_add"
MAX_CAMERAS = 32


def _to_second(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None:
        raise InvalidInput(f"the {what} time needs a time zone offset (e.g. +08:00)")
    if moment.microsecond:
        raise InvalidInput(f"the {what} time {moment.isoformat()} is not to the second")
    return moment.astimezone(UTC)


def add_finding(db: Session, scope: Scope, batch_id: int, camera_ids: Sequence[int],
                starts_at: datetime, ends_at: datetime, category: CheckItem,
                severity: Severity, note: str) -> Finding:
    """Record a manual finding on cameras of the batch over ``starts_at..ends_at``
    (to the second, within one session window holding every camera); audited."""
    batch = reviewable_batch(db, scope, batch_id)
    cameras = sorted(set(camera_ids))
    if not cameras or len(cameras) > MAX_CAMERAS:
        raise InvalidInput(f"a finding names 1 to {MAX_CAMERAS} cameras, not {len(cameras)}")
    start, end = _to_second(starts_at, "start"), _to_second(ends_at, "end")
    session = session_holding(batch, session_cameras(db, batch), set(cameras), start, end)
    text = clean_note(note, "finding note", required=True)
    finding = Finding(batch_id=batch.id, author_id=scope.user_id, camera_ids=cameras,
                      starts_at=start, ends_at=end, category=category, severity=severity,
                      note=text)
    db.add(finding)
    db.flush()
    audit.record(db, Actor.user(scope.user_id), ADDED, f"batch:{batch.id}",
                 finding=finding.id, session_id=session.session_id, cameras=cameras,
                 starts_at=start.isoformat(), ends_at=end.isoformat(),
                 category=category.value, severity=severity.value, note=text)
    refresh_findings(db, batch)
    return finding


def list_findings(db: Session, scope: Scope, batch_id: int) -> list[Finding]:
    """The batch's findings, by start then id."""
    reviewable_batch(db, scope, batch_id)
    return list(db.scalars(select(Finding).where(Finding.batch_id == batch_id)
                           .order_by(Finding.starts_at, Finding.id)))
