"""Password attempts as the console API makes them: logging in and confirming one's current
password. Each is counted against the client's address (:mod:`proctor.auth.throttle`), and a
failure is committed at once, so it counts even though the request then fails."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy.orm import Session

from proctor import audit
from proctor.actor import Actor
from proctor.auth import sessions, throttle
from proctor.auth.secrets import verify_password
from proctor.db.base import utcnow
from proctor.db.models import User
from proctor.errors import Forbidden, ProctorError


class TooManyAttempts(ProctorError):
    """Too many failed passwords from one address lately (HTTP 429 with ``Retry-After``)."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__("too many failed logins from this address: try again in "
                         f"{-(-retry_after_s // 60)} min")
        self.retry_after_s = retry_after_s


@contextlib.contextmanager
def counted_attempt(db: Session, username: str, address: str,
                    limits: throttle.LoginLimits) -> Iterator[None]:
    """A password attempt for ``username`` from ``address``: :class:`TooManyAttempts` if
    that failed too often lately (audited once per window); otherwise the body checks and
    records the outcome while parallel attempts from the same address wait, so each one is
    counted."""
    with throttle.address_lock(address):
        now = utcnow()
        wait_s = throttle.retry_after(db, username, address, limits, now)
        if wait_s is not None:
            if not throttle.already_throttled(db, username, address, limits, now):
                audit.record(db, Actor.login_attempt(username), throttle.LOGIN_THROTTLED,
                             throttle.address_target(address))
                db.commit()
            raise TooManyAttempts(wait_s)
        yield


def log_in(db: Session, username: str, password: str, ttl_hours: float, key: bytes,
           address: str) -> str | None:
    """A new session token, or ``None`` for a wrong name or password (the failure is
    committed: it counts); see :func:`proctor.auth.sessions.login`."""
    token = sessions.login(db, username, password, ttl_hours, key, address)
    if token is None:
        db.commit()
    return token


def confirm_password(db: Session, user: User, password: str, address: str) -> None:
    """Check the user's current password; a wrong one counts as a failed login (committed)
    and raises :class:`Forbidden`."""
    if not verify_password(password, user.password_hash):
        audit.record(db, Actor.login_attempt(user.username), throttle.LOGIN_FAILED,
                     throttle.address_target(address))
        db.commit()
        raise Forbidden("the current password is wrong")
