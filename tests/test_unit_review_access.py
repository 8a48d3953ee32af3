"""Who may review a batch, on a real (SQLite) database: its drawn supervisor while the
assignment's access lasts (seeing the batch through the assignment alone), never after it,
never when made inactive, never a supervisor of the site who was not drawn; administrators
always; and the drawn supervisors' users are the reviewers that count, whatever their
access today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from support.drawn import SessionPlan, drawn_batch, organisation, xiamen_regions
from support.places import add_user, build_place

from proctor.auth.scope import Scope, load_scope
from proctor.db.models import Role, User
from proctor.errors import Forbidden, NotFound
from proctor.supervision.assignment_scope import assignment_grants
from proctor.supervision.oversight import Assignment, Supervisor
from proctor.supervision.review_access import drawn_user_ids, reviewable_batch

SESSION = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
UNTIL = SESSION + timedelta(days=20)


@dataclass(frozen=True)
class Drawn:
    """A batch at site A with the supervisor ``drawn`` drawn for it; ``local`` a supervisor
    granted site A who was not drawn."""

    batch: int
    assignment: int
    drawn: User
    local: User


def scope_at(db: Session, user: User, moment: datetime) -> Scope:
    """The user's scope at ``moment``, with the grants of their assignments."""
    return load_scope(db, user, moment, sources=(assignment_grants(timedelta(minutes=15)),))


@pytest.fixture
def drawn(db: Session) -> Drawn:
    xiamen_regions(db)
    place = build_place(db, "A")
    place.site.organisation_id = organisation(db)
    user = add_user(db, "drawn", Role.SUPERVISOR, [])
    local = add_user(db, "local", Role.SUPERVISOR, [place.site])
    assignment = drawn_batch(db, place.site.organisation_id, user.id, UNTIL, [
        SessionPlan(SESSION, SESSION + timedelta(hours=2), [place.camera.room_id])])
    db.commit()
    batch = db.get_one(Assignment, assignment).batch_id
    return Drawn(batch, assignment, user, local)


def test_the_drawn_supervisor_reviews_until_access_ends(db: Session, drawn: Drawn) -> None:
    during = scope_at(db, drawn.drawn, SESSION + timedelta(days=3))
    assert reviewable_batch(db, during, drawn.batch).id == drawn.batch
    after = scope_at(db, drawn.drawn, UNTIL + timedelta(seconds=1))
    with pytest.raises(Forbidden, match=f"may not review batch {drawn.batch}"):
        reviewable_batch(db, after, drawn.batch)


def test_an_inactive_supervisor_reviews_nothing(db: Session, drawn: Drawn) -> None:
    supervisor = db.scalars(select(Supervisor).where(Supervisor.user_id == drawn.drawn.id)).one()
    supervisor.is_active = False
    db.commit()
    with pytest.raises(Forbidden, match=f"may not see batch {drawn.batch}"):  # no grant left
        reviewable_batch(db, scope_at(db, drawn.drawn, SESSION), drawn.batch)


def test_a_supervisor_of_the_site_not_drawn_may_not_review(db: Session, drawn: Drawn) -> None:
    local = scope_at(db, drawn.local, SESSION)
    with pytest.raises(Forbidden, match="only its drawn supervisors"):
        reviewable_batch(db, local, drawn.batch)


def test_administrators_review_and_unknown_batches_are_not_found(db: Session,
                                                                  drawn: Drawn) -> None:
    admin = load_scope(db, add_user(db, "root", Role.ADMIN, []))
    assert reviewable_batch(db, admin, drawn.batch).id == drawn.batch
    with pytest.raises(NotFound):
        reviewable_batch(db, admin, 2**63 - 1)


def test_the_drawn_users_count_as_reviewers_whatever_their_access_today(
        db: Session, drawn: Drawn) -> None:
    assert set(db.scalars(drawn_user_ids(drawn.batch))) == {drawn.drawn.id}
    db.get_one(Assignment, drawn.assignment).access_until = SESSION  # long over
    db.commit()
    assert set(db.scalars(drawn_user_ids(drawn.batch))) == {drawn.drawn.id}
    assert set(db.scalars(drawn_user_ids(drawn.batch + 1))) == set()
