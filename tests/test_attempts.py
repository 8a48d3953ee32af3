"""Password attempts: failures are committed at once (they count even though the request
fails), too many from one address are refused with the wait, and refusals are audited once
per window (real SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from support.batches import database
from support.places import PASSWORD, add_user

from proctor.auth.attempts import TooManyAttempts, confirm_password, counted_attempt, log_in
from proctor.auth.throttle import LOGIN_FAILED, LOGIN_THROTTLED, LoginLimits
from proctor.db.models import AuditEntry, Role
from proctor.errors import Forbidden

LIMITS = LoginLimits(per_account_and_address=2, per_address=10, window=timedelta(minutes=5))
ADDRESS = "10.0.0.7"
KEY = b"k" * 32


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Session]:
    with database(tmp_path) as session:
        add_user(session, "sam", Role.SUPERVISOR, [])
        session.commit()
        yield session


def actions(db: Session) -> list[str]:
    return list(db.scalars(select(AuditEntry.action).where(AuditEntry.action.startswith(
        "auth.login")).order_by(AuditEntry.seq)))


def attempt(db: Session, password: str) -> str | None:
    with counted_attempt(db, "sam", ADDRESS, LIMITS):
        return log_in(db, "sam", password, 1.0, KEY, ADDRESS)


def test_a_failed_login_is_committed_and_a_good_one_opens_a_session(db: Session) -> None:
    assert attempt(db, "wrong guess") is None
    db.rollback()  # what the request does when it fails: the failure stays
    assert actions(db) == [LOGIN_FAILED]
    assert attempt(db, PASSWORD) is not None
    assert actions(db) == [LOGIN_FAILED, "auth.login"]


def test_too_many_failures_pause_the_address_and_say_how_long(db: Session) -> None:
    for _ in range(LIMITS.per_account_and_address):
        assert attempt(db, "wrong guess") is None
    for _ in range(2):
        with pytest.raises(TooManyAttempts) as refused:
            attempt(db, PASSWORD)
        db.rollback()
    assert 0 < refused.value.retry_after_s <= 300
    assert str(refused.value) == ("too many failed logins from this address: try again in "
                                  f"{-(-refused.value.retry_after_s // 60)} min")
    assert actions(db) == [LOGIN_FAILED, LOGIN_FAILED, LOGIN_THROTTLED]  # refusals: once


def test_a_wrong_current_password_counts_as_a_failed_login(db: Session) -> None:
    user = add_user(db, "ann", Role.SUPERVISOR, [])
    confirm_password(db, user, PASSWORD, ADDRESS)
    with pytest.raises(Forbidden, match="the current password is wrong"):
        confirm_password(db, user, "not it", ADDRESS)
    db.rollback()
    [entry] = db.scalars(select(AuditEntry).where(AuditEntry.action == LOGIN_FAILED))
    assert (entry.actor, entry.target) == ("login:ann", f"address:{ADDRESS}")


@pytest.mark.parametrize("wait_s, minutes", [(1, 1), (60, 1), (61, 2), (300, 5)])
def test_the_wait_is_said_in_whole_minutes_rounded_up(wait_s: int, minutes: int) -> None:
    assert str(TooManyAttempts(wait_s)).endswith(f"try again in {minutes} min")
