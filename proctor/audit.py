"""The audit log: who did what to which target. Append-only by convention and by API."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
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


@dataclass(frozen=True)
class AuditQuery:
    """Which entries to read: every given field must match; newest first."""

    actor: str | None = None  # exact, e.g. "user:3"
    action: str | None = None  # prefix, e.g. "archive." or "auth.login"
    target: str | None = None  # exact, e.g. "camera:2"
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None  # the next page: entries older than this one
    limit: int = 200


def search(session: Session, query: AuditQuery) -> list[AuditEntry]:
    """The entries matching ``query``, newest first."""
    statement = select(AuditEntry)
    if query.actor is not None:
        statement = statement.where(AuditEntry.actor == query.actor)
    if query.action is not None:
        statement = statement.where(AuditEntry.action.startswith(query.action, autoescape=True))
    if query.target is not None:
        statement = statement.where(AuditEntry.target == query.target)
    if query.since is not None:
        statement = statement.where(AuditEntry.at >= query.since)
    if query.until is not None:
        statement = statement.where(AuditEntry.at < query.until)
    if query.before_id is not None:
        statement = statement.where(AuditEntry.id < query.before_id)
    return list(session.scalars(statement.order_by(AuditEntry.id.desc()).limit(query.limit)))
