"""Review of a batch's events: each reviewer's verdict, the queue, and what the gate counts.

A reviewer (:mod:`~proctor.supervision.review_access`) confirms or dismisses each event of
the batch (:mod:`~proctor.supervision.batch_events`). Reviewed state is kept per user: one
:class:`~proctor.supervision.oversight.EventReview` per event and user, which that user
may change; every change is audited with the previous verdict and refreshes the findings
of the batch's report draft (an event a drawn supervisor confirmed is a finding:
:mod:`~proctor.supervision.event_findings`). A dismissal needs a note
saying why; a confirmation may have one. Nothing here deletes footage or events.

**Reviewed, for the gate**: an event is reviewed when at least one supervisor drawn for
the batch has given it a verdict (either one). An administrator's verdict is kept and
shown, but does not count: the report is the drawn supervisors' judgement.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from proctor import audit
from proctor.actor import Actor
from proctor.auth.scope import Scope
from proctor.db.base import utcnow
from proctor.db.models import Event, User
from proctor.errors import Conflict, NotFound
from proctor.supervision.batch_events import events_of_batch, events_of_batch_query
from proctor.supervision.notes import clean_note
from proctor.supervision.oversight import EventReview, ReviewDecision
from proctor.supervision.report_service import refresh_findings
from proctor.supervision.review_access import drawn_user_ids, reviewable_batch

REVIEWED = "batch.event_review"


class ReviewState(str, enum.Enum):
    """Where an event stands for one reviewer."""

    UNREVIEWED = "unreviewed"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


@dataclass(frozen=True)
class OtherReview:
    """Another user's verdict on the event; ``drawn``: it counts for the gate."""

    user_id: int
    username: str
    decision: ReviewDecision
    drawn: bool
    reviewed_at: datetime


@dataclass(frozen=True)
class QueueItem:
    """One event of the batch, as the calling reviewer sees it."""

    event: Event
    state: ReviewState
    note: str
    reviewed_at: datetime | None
    others: tuple[OtherReview, ...]
    counted: bool  # reviewed by a drawn supervisor (the gate's rule)


def review_queue(db: Session, scope: Scope, batch_id: int) -> list[QueueItem]:
    """The batch's events, oldest first, each with the caller's state and who else
    reviewed it."""
    reviewable_batch(db, scope, batch_id)
    events = events_of_batch_query(batch_id).subquery()
    rows = db.execute(select(EventReview, User.username)
                      .join(User, User.id == EventReview.user_id)
                      .where(EventReview.event_id.in_(select(events.c.id)))
                      .order_by(EventReview.reviewed_at, EventReview.id)).all()
    by_event: dict[int, list[tuple[EventReview, str]]] = defaultdict(list)
    for review, username in rows:
        by_event[review.event_id].append((review, username))
    drawn = set(db.scalars(drawn_user_ids(batch_id)))
    return [_item(event, by_event[event.id], scope.user_id, drawn)
            for event in events_of_batch(db, batch_id)]


def _item(event: Event, reviews: list[tuple[EventReview, str]], user_id: int,
          drawn: set[int | None]) -> QueueItem:
    mine = next((review for review, _ in reviews if review.user_id == user_id), None)
    others = tuple(OtherReview(r.user_id, name, r.decision, r.user_id in drawn, r.reviewed_at)
                   for r, name in reviews if r.user_id != user_id)
    return QueueItem(
        event=event,
        state=ReviewState(mine.decision.value) if mine else ReviewState.UNREVIEWED,
        note=mine.note if mine else "", reviewed_at=mine.reviewed_at if mine else None,
        others=others, counted=any(review.user_id in drawn for review, _ in reviews))


def review_event(db: Session, scope: Scope, batch_id: int, event_id: int,
                 decision: ReviewDecision, note: str) -> EventReview:
    """Record (or change) the caller's verdict on an event of the batch; audited. The
    same verdict and note again change nothing."""
    batch = reviewable_batch(db, scope, batch_id)
    if db.scalar(events_of_batch_query(batch_id).where(Event.id == event_id)) is None:
        raise NotFound(f"event {event_id} is not an event of batch {batch_id}")
    text = clean_note(note, "review note", required=decision is ReviewDecision.DISMISSED)
    review = db.scalar(select(EventReview).where(EventReview.event_id == event_id,
                                                 EventReview.user_id == scope.user_id))
    if review is not None and (review.decision, review.note) == (decision, text):
        return review
    previous = (review.decision.value, review.note) if review else (None, None)
    if review is None:
        review = EventReview(event_id=event_id, user_id=scope.user_id, batch_id=batch_id)
        db.add(review)
    review.decision, review.note, review.reviewed_at = decision, text, utcnow()
    try:
        db.flush()
    except IntegrityError as error:  # the same user's verdict arrived twice at once
        raise Conflict(f"event {event_id} was reviewed concurrently; reload and retry") \
            from error
    audit.record(db, Actor.user(scope.user_id), REVIEWED, f"batch:{batch_id}",
                 event=event_id, decision=decision.value, note=text,
                 previous_decision=previous[0], previous_note=previous[1])
    refresh_findings(db, batch)
    return review


def unreviewed_events(db: Session, batch_id: int) -> list[int]:
    """The ids of the batch's events (oldest first) that no supervisor drawn for the batch
    has confirmed or dismissed: the gate's "every event reviewed" holds when it is empty."""
    events = events_of_batch_query(batch_id).subquery()
    counted = exists().where(EventReview.event_id == events.c.id,
                             EventReview.user_id.in_(drawn_user_ids(batch_id)))
    return list(db.scalars(select(events.c.id).where(~counted)
                           .order_by(events.c.started_at, events.c.id)))
