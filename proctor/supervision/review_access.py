"""Who may review a batch: its drawn supervisors while their access lasts, and administrators.

Review covers the event queue and verdicts, manual findings, coverage and gap
explanations. The batch is first looked up through the caller's scope like every batch
route (:func:`~proctor.supervision.batch_access.batch_in_scope`: 404 when it does not
exist, 403 when it is outside the scope); then the caller must be an administrator, or a
user linked to an active :class:`~proctor.supervision.oversight.Supervisor` drawn for the
batch (an :class:`~proctor.supervision.oversight.Assignment`) whose ``access_until`` has
not passed at the scope's moment, with a role that may view the archive. Anyone else gets
403 naming the batch.
"""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from proctor.auth.scope import Permission, Scope
from proctor.errors import Forbidden
from proctor.supervision.batch_access import batch_in_scope
from proctor.supervision.oversight import Assignment, Supervisor
from proctor.supervision.records import Batch


def drawn_user_ids(batch_id: int) -> Select[int | None]:
    """The console users of the supervisors drawn for the batch (whatever their access
    today: a review made while drawn stays a drawn supervisor's review)."""
    return (select(Supervisor.user_id)
            .join(Assignment, Assignment.supervisor_id == Supervisor.id)
            .where(Assignment.batch_id == batch_id, Supervisor.user_id.is_not(None)))


def _drawn_now(db: Session, scope: Scope, batch_id: int) -> bool:
    """Whether the scope's user is drawn for the batch, active, with access still open."""
    found = db.scalar(select(Assignment.id)
                      .join(Supervisor, Assignment.supervisor_id == Supervisor.id)
                      .where(Assignment.batch_id == batch_id,
                             Supervisor.user_id == scope.user_id,
                             Supervisor.is_active.is_(True),
                             Assignment.access_until > scope.as_of).limit(1))
    return found is not None


def reviewable_batch(db: Session, scope: Scope, batch_id: int) -> Batch:
    """The batch, if the scope's user may review it (see the module docstring); else
    :class:`~proctor.errors.NotFound` or :class:`~proctor.errors.Forbidden`."""
    batch = batch_in_scope(db, scope, batch_id)
    if scope.everywhere:
        return batch
    if scope.can(Permission.VIEW_ARCHIVE) and _drawn_now(db, scope, batch_id):
        return batch
    raise Forbidden(f"user '{scope.username}' may not review batch {batch_id}: only its drawn "
                    "supervisors (until their access ends) and administrators may")
