"""The audit log: who did what to which target. Append-only by convention and by API."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from proctor.db.models import AuditEntry

logger = logging.getLogger(__name__)


def record(
    session: Session, actor: str, action: str, target: str = "", **detail: object
) -> AuditEntry:
    """Add an audit entry to the session (committed with the caller's transaction)."""
    entry = AuditEntry(actor=actor, action=action, target=target, detail=detail)
    session.add(entry)
    logger.info("audit %s", action, extra={"actor": actor, "target": target})
    return entry
