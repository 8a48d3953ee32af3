"""Review of a batch (督导复核): the event queue, each reviewer's verdict, manual findings.

For the batch's drawn supervisors (while their access lasts) and administrators
(:mod:`proctor.supervision.review_access`); a batch outside the caller's scope is 403 and
one that does not exist 404, as on the batch routes. Nothing here deletes footage.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from proctor.api.deps import CurrentScope, SessionDep
from proctor.api.organisation_schemas import MAX_ID
from proctor.api.review_schemas import (
    FindingCreate,
    FindingPublic,
    QueueItemPublic,
    ReviewPublic,
    ReviewRequest,
)
from proctor.events.views import EventView, event_view
from proctor.supervision import findings, review
from proctor.supervision.batch_events import reviewable_events

router = APIRouter(prefix="/api/batches/{batch_id}", tags=["review"])
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/review")
def review_queue(batch_id: RowId, db: SessionDep, scope: CurrentScope) -> list[QueueItemPublic]:
    """The batch's events, oldest first, with the caller's verdict and the others'."""
    return [QueueItemPublic.of(item) for item in review.review_queue(db, scope, batch_id)]


@router.get("/events")
def batch_events(batch_id: RowId, db: SessionDep, scope: CurrentScope) -> list[EventView]:
    """The batch's events (its rooms' cameras within its session windows), oldest first."""
    return [event_view(event) for event in reviewable_events(db, scope, batch_id)]


@router.put("/events/{event_id}/review")
def review_event(batch_id: RowId, event_id: RowId, body: ReviewRequest, db: SessionDep,
                 scope: CurrentScope) -> ReviewPublic:
    """Confirm or dismiss an event of the batch (the caller's own verdict; audited)."""
    row = review.review_event(db, scope, batch_id, event_id, body.decision, body.note)
    return ReviewPublic.of(row)


@router.post("/findings", status_code=status.HTTP_201_CREATED)
def add_finding(batch_id: RowId, body: FindingCreate, db: SessionDep,
                scope: CurrentScope) -> FindingPublic:
    """Record a manual finding on cameras of the batch (audited)."""
    row = findings.add_finding(db, scope, batch_id, body.camera_ids, body.starts_at,
                               body.ends_at, body.category, body.severity, body.note)
    return FindingPublic.of(row)


@router.get("/findings")
def list_findings(batch_id: RowId, db: SessionDep, scope: CurrentScope) -> list[FindingPublic]:
    """The batch's manual findings, by start."""
    return [FindingPublic.of(row) for row in findings.list_findings(db, scope, batch_id)]
