"""Login throttling decisions against a real database (SQLite, migrated as in production):
the limits, the sliding window's edges, and which attempts each limit pauses."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from proctor import audit
from proctor.auth.throttle import (
    LOGIN_FAILED,
    LOGIN_THROTTLED,
    LoginLimits,
    address_lock,
    address_target,
    already_throttled,
    retry_after,
)
from proctor.db.migrate import upgrade_database
from proctor.db.session import create_db_engine, create_session_factory, session_scope

LIMITS = LoginLimits(per_account_and_address=3, per_address=5, window=timedelta(minutes=10))
_addresses = (f"192.0.2.{n}" for n in itertools.count(1))  # TEST-NET-1: one per test


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('throttle') / 'proctor.db'}"
    upgrade_database(url)
    yield url


@pytest.fixture
def db(database: str) -> Iterator[Session]:
    engine = create_db_engine(database)
    with session_scope(create_session_factory(engine)) as session:
        yield session
    engine.dispose()


@pytest.fixture
def address() -> str:
    return next(_addresses)


def fail(db: Session, username: str, address: str, times: int = 1) -> list[datetime]:
    """Record failed logins as the login route does; returns when each was recorded."""
    recorded = []
    for _ in range(times):
        entry = audit.record(db, f"user:{username}", LOGIN_FAILED, address_target(address))
        db.flush()
        recorded.append(entry.at)
    return recorded


def test_below_the_limit_logins_may_be_tried(db: Session, address: str) -> None:
    at = fail(db, "alice", address, LIMITS.per_account_and_address - 1)[-1]
    assert retry_after(db, "alice", address, LIMITS, at) is None


def test_at_the_limit_the_account_is_paused_from_that_address(db: Session, address: str) -> None:
    at = fail(db, "alice", address, LIMITS.per_account_and_address)[0]
    wait = retry_after(db, "alice", address, LIMITS, at + timedelta(minutes=4))
    assert wait is not None and 6 * 60 - 1 <= wait <= 6 * 60 + 1
    assert retry_after(db, "alice", next(_addresses), LIMITS, at) is None  # elsewhere: fine
    assert retry_after(db, "bob", address, LIMITS, at) is None  # another account: fine


def test_the_pause_ends_when_the_failures_leave_the_window(db: Session, address: str) -> None:
    first = fail(db, "carol", address, LIMITS.per_account_and_address)[0]
    assert retry_after(db, "carol", address, LIMITS, first + LIMITS.window) == 1  # still inside
    assert retry_after(db, "carol", address, LIMITS,
                       first + LIMITS.window + timedelta(microseconds=1)) is None


def test_the_wait_is_never_zero(db: Session, address: str) -> None:
    at = fail(db, "dave", address, LIMITS.per_account_and_address)[0]
    almost_over = at + LIMITS.window - timedelta(microseconds=1)
    assert retry_after(db, "dave", address, LIMITS, almost_over) == 1


def test_spraying_many_accounts_pauses_the_address(db: Session, address: str) -> None:
    at = [fail(db, name, address)[0]  # one guess each: no account limit reached
          for name in ("a1", "a2", "a3", "a4", "a5")][-1]
    for name in ("a1", "someone-else"):
        wait = retry_after(db, name, address, LIMITS, at)
        assert wait is not None and wait <= LIMITS.window.total_seconds() + 1
    assert retry_after(db, "a1", next(_addresses), LIMITS, at) is None


def test_other_actions_do_not_count(db: Session, address: str) -> None:
    for _ in range(LIMITS.per_address):
        audit.record(db, "user:erin", "auth.login", address_target(address))
    entry = audit.record(db, "user:erin", LOGIN_THROTTLED, address_target(address))
    db.flush()
    assert retry_after(db, "erin", address, LIMITS, entry.at) is None


def test_a_refusal_is_logged_once_per_window(db: Session, address: str) -> None:
    assert not already_throttled(db, "frank", address, LIMITS, datetime.now().astimezone())
    entry = audit.record(db, "user:frank", LOGIN_THROTTLED, address_target(address))
    db.flush()
    assert already_throttled(db, "frank", address, LIMITS, entry.at)
    assert already_throttled(db, "frank", address, LIMITS, entry.at + LIMITS.window)
    assert not already_throttled(db, "frank", address, LIMITS,
                                 entry.at + LIMITS.window + timedelta(seconds=1))
    assert not already_throttled(db, "grace", address, LIMITS, entry.at)


@pytest.mark.parametrize("address", ["203.0.113.9", "2001:db8::1", "", "地址", "x" * 10_000])
def test_address_lock_is_stable_per_address(address: str) -> None:
    lock = address_lock(address)
    assert address_lock(address) is lock
    assert address_target(address) == f"address:{address}"
    with lock:
        assert lock.locked()
    assert not lock.locked()
