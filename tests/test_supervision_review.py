"""Review of a batch through the services on SQLite: verdicts per user, changes audited,
what the gate counts as reviewed, who may review, and manual findings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from support.batches import World, at, build_world, database
from support.review import add_event, draw_also, drawn_for_both_rooms, scope_of, user

from proctor.auth.scope import Scope
from proctor.db.models import AuditEntry, Role, User
from proctor.errors import Forbidden, InvalidInput, NotFound
from proctor.supervision.findings import add_finding, list_findings
from proctor.supervision.oversight import EventReview, ReviewDecision
from proctor.supervision.report.terms import CheckItem, Severity
from proctor.supervision.review import (
    ReviewState,
    review_event,
    review_queue,
    unreviewed_events,
)

CONFIRMED, DISMISSED = ReviewDecision.CONFIRMED, ReviewDecision.DISMISSED


@dataclass(frozen=True)
class Review:
    """A batch with two drawn supervisors, an administrator and two events in its window."""

    db: Session
    world: World
    batch: int
    events: tuple[int, int]
    users: dict[str, int]

    def scope(self, name: str, moment: datetime | None = None) -> Scope:
        """The named user's scope (by default just after the session)."""
        row = self.db.get(User, self.users[name])
        assert row is not None
        return scope_of(self.db, row, moment)


@pytest.fixture
def review(tmp_path: Path) -> Iterator[Review]:
    with database(tmp_path) as db:
        world = build_world(db)
        users = {"sup1": user(db, "sup1", Role.SUPERVISOR).id,
                 "sup2": user(db, "sup2", Role.SUPERVISOR).id,
                 "admin": user(db, "admin", Role.ADMIN).id,
                 "operator": user(db, "operator", Role.ORG_OPERATOR, (world.site,)).id,
                 "stranger": user(db, "stranger", Role.SUPERVISOR).id}
        batch = drawn_for_both_rooms(db, world, users["sup1"])
        draw_also(db, batch, users["sup2"])
        events = (add_event(db, world.cameras[0], "2026-03-02 09:30"),
                  add_event(db, world.cameras[1], "2026-03-02 10:15"))
        add_event(db, world.cameras[0], "2026-03-02 12:00")  # after the window: not the batch's
        db.commit()
        yield Review(db, world, batch, events, users)


def test_reviewed_state_is_kept_per_user(review: Review) -> None:
    first, second = review.events
    review_event(review.db, review.scope("sup1"), review.batch, first, CONFIRMED, "看到手机")
    mine = review_queue(review.db, review.scope("sup1"), review.batch)
    assert [(i.event.id, i.state, i.note) for i in mine] == [
        (first, ReviewState.CONFIRMED, "看到手机"), (second, ReviewState.UNREVIEWED, "")]
    theirs = review_queue(review.db, review.scope("sup2"), review.batch)
    assert [i.state for i in theirs] == [ReviewState.UNREVIEWED, ReviewState.UNREVIEWED]
    assert [(o.username, o.decision, o.drawn) for o in theirs[0].others] == [
        ("sup1", CONFIRMED, True)]
    assert [i.counted for i in theirs] == [True, False]
    assert unreviewed_events(review.db, review.batch) == [second]


def test_a_changed_verdict_updates_the_one_review_and_is_audited(review: Review) -> None:
    event = review.events[0]
    scope = review.scope("sup1")
    review_event(review.db, scope, review.batch, event, CONFIRMED, "")
    review_event(review.db, scope, review.batch, event, DISMISSED, "是计算器，不是手机")
    review_event(review.db, scope, review.batch, event, DISMISSED, "是计算器，不是手机")  # same
    rows = review.db.scalars(select(EventReview).where(EventReview.event_id == event)).all()
    assert [(r.user_id, r.decision, r.note) for r in rows] == [
        (review.users["sup1"], DISMISSED, "是计算器，不是手机")]
    audited = review.db.scalars(select(AuditEntry).where(
        AuditEntry.action == "batch.event_review").order_by(AuditEntry.seq)).all()
    assert [(a.actor, a.detail["decision"], a.detail["previous_decision"]) for a in audited] == [
        (f"user:{review.users['sup1']}", "confirmed", None),
        (f"user:{review.users['sup1']}", "dismissed", "confirmed")]
    assert audited[1].detail["previous_note"] == "" and audited[1].target == f"batch:{review.batch}"


def test_a_dismissal_needs_a_note_and_notes_must_be_visible_text(review: Review) -> None:
    scope, event = review.scope("sup1"), review.events[0]
    with pytest.raises(InvalidInput, match="must not be blank"):
        review_event(review.db, scope, review.batch, event, DISMISSED, "  ")
    with pytest.raises(InvalidInput, match="U\\+202E"):
        review_event(review.db, scope, review.batch, event, CONFIRMED, "ok\u202eko")


def test_only_drawn_supervisors_reviews_count_for_the_gate(review: Review) -> None:
    for event in review.events:
        review_event(review.db, review.scope("admin"), review.batch, event, CONFIRMED, "")
    assert unreviewed_events(review.db, review.batch) == list(review.events)
    queue = review_queue(review.db, review.scope("sup2"), review.batch)
    assert [(o.username, o.drawn) for o in queue[0].others] == [("admin", False)]
    for event in review.events:
        review_event(review.db, review.scope("sup2"), review.batch, event, DISMISSED, "误报")
    assert unreviewed_events(review.db, review.batch) == []


def test_who_may_review(review: Review) -> None:
    event = review.events[0]
    for name, error, message in (("operator", Forbidden, "may not review batch"),
                                 ("stranger", Forbidden, "may not see batch")):
        with pytest.raises(error, match=message):
            review_queue(review.db, review.scope(name), review.batch)
    with pytest.raises(Forbidden, match="may not review"):  # the report period is over
        review_queue(review.db, review.scope("sup1", at("2099-01-02 00:00")), review.batch)
    with pytest.raises(NotFound, match="batch 999"):
        review_queue(review.db, review.scope("admin"), 999)
    outside = add_event(review.db, review.world.cameras[0], "2026-03-02 12:30")
    with pytest.raises(NotFound, match=f"event {outside} is not an event of batch"):
        review_event(review.db, review.scope("sup1"), review.batch, outside, CONFIRMED, "")
    assert len(review_queue(review.db, review.scope("admin"), review.batch)) == 2
    assert review_event(review.db, review.scope("admin"), review.batch, event, CONFIRMED, "")


def test_a_finding_on_cameras_of_the_batch_within_its_window(review: Review) -> None:
    cameras = list(review.world.cameras)
    finding = add_finding(review.db, review.scope("sup1"), review.batch, cameras[::-1],
                          at("2026-03-02 09:10"), at("2026-03-02 09:12"), CheckItem.IDENTITY,
                          Severity.SERIOUS, "疑似替考")
    assert finding.camera_ids == cameras and finding.author_id == review.users["sup1"]
    assert [f.id for f in list_findings(review.db, review.scope("sup2"), review.batch)] == [
        finding.id]
    entry = review.db.scalars(select(AuditEntry).where(
        AuditEntry.action == "batch.finding_add")).one()
    assert entry.detail["category"] == "人证一致/代考" and entry.detail["cameras"] == cameras


@pytest.mark.parametrize(("cameras", "start", "end", "message"), [
    ([99], "2026-03-02 09:10", "2026-03-02 09:12", "not cameras of batch"),
    ([1], "2026-03-02 10:59", "2026-03-02 11:01", "not within one session window"),
    ([1], "2026-03-02 08:59", "2026-03-02 09:01", "not within one session window"),
    ([1], "2026-03-02 09:12", "2026-03-02 09:10", "must end after it starts"),
    ([], "2026-03-02 09:10", "2026-03-02 09:12", "1 to 32 cameras"),
])
def test_findings_are_refused_outside_the_batch(review: Review, cameras: list[int], start: str,
                                                end: str, message: str) -> None:
    named = [review.world.cameras[0] if c == 1 else c for c in cameras]
    with pytest.raises(InvalidInput, match=message):
        add_finding(review.db, review.scope("sup1"), review.batch, named, at(start), at(end),
                    CheckItem.ROOM, Severity.MINOR, "说明")


def test_a_finding_is_to_the_second_and_has_a_note(review: Review) -> None:
    scope, camera = review.scope("sup1"), [review.world.cameras[0]]
    start = at("2026-03-02 09:10")
    with pytest.raises(InvalidInput, match="not to the second"):
        add_finding(review.db, scope, review.batch, camera, start.replace(microsecond=500),
                    at("2026-03-02 09:12"), CheckItem.ROOM, Severity.MINOR, "说明")
    with pytest.raises(InvalidInput, match="must not be blank"):
        add_finding(review.db, scope, review.batch, camera, start, at("2026-03-02 09:12"),
                    CheckItem.ROOM, Severity.MINOR, "")
