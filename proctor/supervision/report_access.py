"""Who may read a batch's reports and gate: its writers, and auditors.

Writers are those who may review the batch (:func:`~proctor.supervision.review_access.
reviewable_batch`: its drawn supervisors while their access lasts, and administrators).
Readers are the writers and anyone whose role reads the audit log (auditors), for the
batches within their scope (:func:`~proctor.supervision.batch_access.batch_in_scope`).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from proctor.auth.scope import Permission, Scope
from proctor.supervision.batch_access import batch_in_scope
from proctor.supervision.records import Batch
from proctor.supervision.review_access import reviewable_batch


def readable_batch(db: Session, scope: Scope, batch_id: int) -> Batch:
    """The batch, if the scope's user may read its reports (else NotFound or Forbidden)."""
    batch = batch_in_scope(db, scope, batch_id)
    if scope.can(Permission.READ_AUDIT_LOG):
        return batch
    return reviewable_batch(db, scope, batch_id)
