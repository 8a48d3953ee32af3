"""Login throttling: too many failed logins from one address pause further attempts.

Failures are counted from the audit log (every failed login is already an audit entry,
with the client address as its target), so the count survives a restart and is shared by
every server worker. Two limits, both over a sliding window:

- **account and address**: guessing one account's password from one address;
- **address**: trying many accounts from one address (password spraying).

There is deliberately no limit on an account alone: anyone could then lock a supervisor out
of an exam by typing wrong passwords for them. A refused attempt does no password work and
says when to try again. Parallel attempts from one address are checked one at a time.
"""

from __future__ import annotations

import threading
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor.actor import Actor
from proctor.db.models import AuditEntry

LOGIN_FAILED = "auth.login_failed"
LOGIN_THROTTLED = "auth.login_throttled"


@dataclass(frozen=True)
class LoginLimits:
    """How many failures within ``window`` pause logins."""

    per_account_and_address: int
    per_address: int
    window: timedelta


def address_target(address: str) -> str:
    """The audit target of a login attempt from ``address``."""
    return f"address:{address}"


def retry_after(db: Session, username: str, address: str, limits: LoginLimits,
                now: datetime) -> int | None:
    """Seconds until a login for ``username`` from ``address`` may be tried again, or
    ``None`` if it may be tried now."""
    since = now - limits.window
    recent = select(AuditEntry.at).where(
        AuditEntry.action == LOGIN_FAILED, AuditEntry.at >= since,
        AuditEntry.target == address_target(address)).order_by(AuditEntry.at.desc())
    checks = ((recent.where(AuditEntry.actor == str(Actor.login_attempt(username))),
               limits.per_account_and_address),
              (recent, limits.per_address))
    for query, limit in checks:
        wait_s = _wait(list(db.scalars(query.limit(limit))), limit, limits.window, now)
        if wait_s is not None:
            return wait_s
    return None


def _wait(newest_first: list[datetime], limit: int, window: timedelta,
          now: datetime) -> int | None:
    """Seconds until one more may happen, given the times of those within the window
    (newest first, at most ``limit``): allowed again when the limit-th newest leaves it."""
    if len(newest_first) < limit:
        return None
    return max(1, int((newest_first[limit - 1] + window - now).total_seconds()) + 1)


def action_retry_after(db: Session, action: str, target: str, limit: int, window: timedelta,
                       now: datetime) -> int | None:
    """Seconds until one more ``action`` on ``target`` may be done, when ``limit`` of them
    are already in the audit log within ``window``; ``None`` if it may be done now (the
    per-address limit of other public actions, e.g. online complaints)."""
    recent = select(AuditEntry.at).where(
        AuditEntry.action == action, AuditEntry.target == target,
        AuditEntry.at >= now - window).order_by(AuditEntry.at.desc()).limit(limit)
    return _wait(list(db.scalars(recent)), limit, window, now)


def already_throttled(db: Session, username: str, address: str, limits: LoginLimits,
                      now: datetime) -> bool:
    """Whether a refused attempt for this account and address is already in the audit log
    for the window (one entry says it all; a flood of refusals must not fill the log)."""
    return db.scalar(select(AuditEntry.id).where(
        AuditEntry.action == LOGIN_THROTTLED, AuditEntry.at >= now - limits.window,
        AuditEntry.actor == str(Actor.login_attempt(username)),
        AuditEntry.target == address_target(address)).limit(1)) is not None


_ADDRESS_LOCKS = [threading.Lock() for _ in range(64)]


def address_lock(address: str) -> threading.Lock:
    """Held from the limit check to the recorded failure, so parallel guesses from one
    address are counted one after the other instead of all passing the check at once.
    (In one server process; the server runs as one process, its WebRTC state is local.)"""
    return _ADDRESS_LOCKS[zlib.crc32(address.encode()) % len(_ADDRESS_LOCKS)]
