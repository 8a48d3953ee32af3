"""The audit log: who did what to which target. Append-only, and hash-chained (see
:mod:`proctor.audit_chain`) so that a changed, removed or inserted entry is found.

Writers are serialised so the chain never forks: on PostgreSQL by a transaction-level
advisory lock, on SQLite by its single write lock. Both are held until the caller's
transaction ends, so record audit entries as the last step of a transaction.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from proctor.actor import ActorRef, as_actor
from proctor.audit_chain import (
    GENESIS,
    ChainHead,
    ChainProblem,
    canonical_json,
    entry_hash,
    find_problems,
)
from proctor.db.base import utcnow
from proctor.db.models import AuditEntry

logger = logging.getLogger(__name__)
CHAIN_LOCK_KEY = 0x70726F63746F72  # "proctor": the PostgreSQL advisory lock of the chain


def record(
    session: Session, actor: ActorRef, action: str, target: str = "", **detail: object
) -> AuditEntry:
    """Add the next entry of the chain to the session (committed with the caller's
    transaction). ``actor`` is an :class:`~proctor.actor.Actor`; strings of the old
    schemes are accepted during the transition (see :func:`~proctor.actor.as_actor`)."""
    who = str(as_actor(actor))
    stored_detail = json.loads(canonical_json(detail))  # stored exactly as hashed
    _lock_chain(session)
    head = chain_head(session)
    entry = AuditEntry(seq=head.seq + 1, at=utcnow(), actor=who, action=action, target=target,
                       detail=stored_detail, prev_hash=head.chain_hash)
    entry.chain_hash = entry_hash(entry)
    session.add(entry)
    session.flush()  # the next entry of this transaction links to this one
    logger.info("audit %s", action, extra={"actor": who, "target": target})
    return entry


def _lock_chain(session: Session) -> None:
    """Hold the chain until this transaction ends (no other writer reads the same head)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(CHAIN_LOCK_KEY)))
    else:  # SQLite: any write statement takes the database's one write lock
        session.execute(text("UPDATE audit_log SET seq = seq WHERE 1 = 0"))


def chain_head(session: Session) -> ChainHead:
    """The newest entry's number and hash, to note outside the system."""
    row = session.execute(select(AuditEntry.seq, AuditEntry.chain_hash)
                          .order_by(AuditEntry.seq.desc()).limit(1)).first()
    return ChainHead(row.seq, row.chain_hash) if row else ChainHead(0, GENESIS)


def verify_chain(session: Session, noted_head: ChainHead | None = None) -> list[ChainProblem]:
    """Every problem of the stored chain, the first bad entry first (empty: it holds).
    ``noted_head``, a head noted earlier, must still be in the chain."""
    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)
                              .execution_options(yield_per=1000))
    return find_problems(entries, noted_head)


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
