"""Explaining a coverage gap: why a camera of the batch recorded nothing for a while.

An explanation names one camera of the batch, the range it explains (within the window of
a session that uses the camera's room, to the millisecond so that it can match a gap as
:mod:`~proctor.supervision.batch_coverage` lists it) and the text; who gave it and when
are recorded, and the entry is audited. Explanations are added, never edited or removed:
a better one is a new entry. They change nothing about the footage.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from proctor import audit
from proctor.actor import Actor
from proctor.auth.scope import Scope
from proctor.db.base import utcnow
from proctor.supervision.batch_cameras import session_cameras, session_holding
from proctor.supervision.notes import clean_note
from proctor.supervision.oversight import GapExplanation
from proctor.supervision.review_access import reviewable_batch

EXPLAINED = "batch.gap_explain"


def explain_gap(db: Session, scope: Scope, batch_id: int, camera_id: int,
                starts_at: datetime, ends_at: datetime, text: str) -> GapExplanation:
    """Record why ``camera_id`` has no footage over ``starts_at..ends_at``; audited."""
    batch = reviewable_batch(db, scope, batch_id)
    session = session_holding(batch, session_cameras(db, batch), {camera_id}, starts_at,
                              ends_at)
    explanation = clean_note(text, "gap explanation", required=True)
    actor = Actor.user(scope.user_id)
    row = GapExplanation(batch_id=batch.id, camera_id=camera_id,
                         starts_at=starts_at.astimezone(UTC), ends_at=ends_at.astimezone(UTC),
                         explanation=explanation, explained_by=str(actor),
                         explained_at=utcnow())
    db.add(row)
    db.flush()
    audit.record(db, actor, EXPLAINED, f"batch:{batch.id}", explanation_id=row.id,
                 session_id=session.session_id, camera=camera_id,
                 starts_at=row.starts_at.isoformat(), ends_at=row.ends_at.isoformat(),
                 explanation=explanation)
    return row
