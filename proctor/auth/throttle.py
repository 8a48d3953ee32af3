"""Login throttling: too many failed logins from one address pause further attempts.

Failures are counted from the audit log (every failed login is already an audit entry,
with the client address as its target), so the count survives a restart and is shared by
every server worker. Two limits, both over a sliding window:

- **account and address**: guessing one account's password from one address;
- **address**: trying many accounts from one address (password spraying).

There is deliberately no limit on an account alone: anyone could then lock a supervisor out
of an exam by typing wrong passwords for them. A refused attempt does no password work and
says when to try again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from proctor.db.models import AuditEntry

LOGIN_FAILED = "auth.login_failed"


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
    recent = select(func.count(), func.min(AuditEntry.at)).where(
        AuditEntry.action == LOGIN_FAILED, AuditEntry.at >= since,
        AuditEntry.target == address_target(address))
    checks = ((recent.where(AuditEntry.actor == f"user:{username}"),
               limits.per_account_and_address),
              (recent, limits.per_address))
    for query, limit in checks:
        count, oldest = db.execute(query).one()
        if count >= limit:
            return max(1, int((oldest + limits.window - now).total_seconds()) + 1)
    return None
