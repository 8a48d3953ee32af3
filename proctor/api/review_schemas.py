"""Request and response bodies of a batch's review: the event queue, verdicts, findings.

Sizes and shapes are bounded here (hostile input stops at 422); the rules (visible text,
cameras of the batch, ranges within a session window) are the services', so every client
is refused the same things with the same messages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field

from proctor.api.params import RowId
from proctor.api.schema_base import Body, FromRow
from proctor.events.views import EventView, event_view
from proctor.supervision.findings import MAX_CAMERAS
from proctor.supervision.oversight import EventReview, Finding, ReviewDecision
from proctor.supervision.report.terms import CheckItem, Severity
from proctor.supervision.review import OtherReview, QueueItem, ReviewState

Note = Annotated[str, Field(max_length=4000)]


class ReviewRequest(Body):
    """The caller's verdict on an event; a dismissal needs a note saying why."""

    decision: ReviewDecision
    note: Note = ""


class ReviewPublic(FromRow[EventReview]):
    """The caller's stored verdict."""

    event_id: int
    user_id: int
    decision: ReviewDecision
    note: str
    reviewed_at: datetime


class OtherReviewPublic(FromRow[OtherReview]):
    """Someone else's verdict; ``drawn``: a drawn supervisor's, which the gate counts."""

    user_id: int
    username: str
    decision: ReviewDecision
    drawn: bool
    reviewed_at: datetime


class QueueItemPublic(BaseModel):
    """An event of the batch with the caller's state and the others' verdicts."""

    event: EventView
    state: ReviewState
    note: str
    reviewed_at: datetime | None
    others: list[OtherReviewPublic]
    counted: bool = Field(description="reviewed by a drawn supervisor of the batch: the "
                          "results gate counts it as reviewed")

    @classmethod
    def of(cls, item: QueueItem) -> QueueItemPublic:
        """A queue entry."""
        return cls(event=event_view(item.event), state=item.state, note=item.note,
                   reviewed_at=item.reviewed_at, counted=item.counted,
                   others=[OtherReviewPublic.of(o) for o in item.others])


class FindingCreate(Body):
    """A manual finding: cameras of the batch, a range to the second within one session
    window holding them, a checklist category, a severity and a note."""

    camera_ids: list[RowId] = Field(min_length=1, max_length=MAX_CAMERAS)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    category: CheckItem
    severity: Severity
    note: Note


class FindingPublic(FromRow[Finding]):
    """A stored finding."""

    id: int
    batch_id: int
    author_id: int
    camera_ids: list[int]
    starts_at: datetime
    ends_at: datetime
    category: CheckItem
    severity: Severity
    note: str
    created_at: datetime
