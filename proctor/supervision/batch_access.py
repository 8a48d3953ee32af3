"""Which batches a user may read: those within the user's :class:`~proctor.auth.scope.Scope`.

Administrators see every batch. Anyone else sees a batch when a site in their scope
(granted directly or through a region) belongs to the batch's organisation or holds one
of its rooms, or when they hold a camera grant on one of its cameras (a drawn
supervisor). Changing a batch is for administrators; the routes check that.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from proctor.auth.scope import Scope
from proctor.db.models import Camera, Room, Site
from proctor.errors import Forbidden
from proctor.supervision.batches import get_batch
from proctor.supervision.records import Batch, ExamSession, SessionRoom
from proctor.supervision.report.terms import Level, Mode
from proctor.supervision.states import BatchState


@dataclass(frozen=True)
class BatchFilter:
    """Optional conditions of a batch listing (all must hold), and the page."""

    organisation_id: int | None = None
    state: BatchState | None = None
    level: Level | None = None
    mode: Mode | None = None
    occupation_code: str | None = None
    limit: int = 100
    offset: int = 0


def scoped_batches(scope: Scope) -> Select[Batch]:
    """The batches within ``scope``, by id."""
    query = select(Batch).order_by(Batch.id)
    if scope.everywhere:
        return query
    sessions_at = (select(ExamSession.batch_id).join(SessionRoom)
                   .join(Room, Room.id == SessionRoom.room_id))
    granted = {grant.camera_id for grant in scope.camera_grants}
    return query.where(or_(
        Batch.organisation_id.in_(
            select(Site.organisation_id).where(Site.id.in_(scope.site_ids))),
        Batch.id.in_(sessions_at.where(Room.site_id.in_(scope.site_ids))),
        Batch.id.in_(sessions_at.join(Camera, Camera.room_id == Room.id)
                     .where(Camera.id.in_(granted)))))


def list_batches(db: Session, scope: Scope | None, where: BatchFilter) -> list[Batch]:
    """The batches within ``scope`` (``None``: all, for the server's operator at the command
    line) matching ``where``, by id."""
    query = scoped_batches(scope) if scope is not None else select(Batch).order_by(Batch.id)
    conditions = ((where.organisation_id, Batch.organisation_id), (where.state, Batch.state),
                  (where.level, Batch.level), (where.mode, Batch.mode),
                  (where.occupation_code, Batch.occupation_code))
    for value, column in conditions:
        if value is not None:
            query = query.where(column == value)
    return list(db.scalars(query.limit(where.limit).offset(where.offset)))


def batch_in_scope(db: Session, scope: Scope, batch_id: int) -> Batch:
    """The batch, if it exists (:class:`NotFound`) and is within ``scope``
    (:class:`Forbidden`)."""
    batch = get_batch(db, batch_id)
    if db.scalar(scoped_batches(scope).where(Batch.id == batch_id)) is None:
        raise Forbidden(f"user '{scope.username}' may not see batch {batch_id}")
    return batch
