"""Logging in and out and resolving credentials, against a migrated SQLite database: a refused
login is audited with the client's address and opens nothing, a session ends at logout, at
expiry and when its user is disabled, and a device token works only for its active device."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from proctor.auth.secrets import DeviceToken, hash_password, hash_token
from proctor.auth.sessions import (
    device_for_token,
    find_user,
    login,
    logout,
    user_for_session_token,
)
from proctor.auth.throttle import LOGIN_FAILED
from proctor.db.base import utcnow
from proctor.db.migrate import upgrade_database
from proctor.db.models import AuditEntry, Device, Role, Site, User, UserSession
from proctor.db.session import create_db_engine, create_session_factory, session_scope

KEY = b"k" * 32
OTHER_KEY = b"o" * 32
PASSWORD = "correct horse battery"
_names = (f"user{n}" for n in itertools.count(1))


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('sessions') / 'proctor.db'}"
    upgrade_database(url)
    return url


@pytest.fixture
def db(database: str) -> Iterator[Session]:
    engine = create_db_engine(database)
    with session_scope(create_session_factory(engine)) as session:
        yield session
    engine.dispose()


@pytest.fixture(scope="module")
def password_hash() -> str:
    return hash_password(PASSWORD)  # scrypt: once for the module


@pytest.fixture
def user(db: Session, password_hash: str) -> User:
    user = User(username=next(_names), password_hash=password_hash, role=Role.AUDITOR)
    db.add(user)
    db.flush()
    return user


def failures(db: Session, username: str) -> list[str]:
    return list(db.scalars(select(AuditEntry.target).where(
        AuditEntry.action == LOGIN_FAILED, AuditEntry.actor == f"login:{username}")))


def test_a_login_opens_a_session_found_by_its_token_and_key(db: Session, user: User) -> None:
    token = login(db, user.username, PASSWORD, 8, KEY, "192.0.2.1")
    assert token is not None
    assert user_for_session_token(db, token, KEY) is user
    assert user_for_session_token(db, token, OTHER_KEY) is None  # the key is the server's
    row = db.scalar(select(UserSession).where(UserSession.user_id == user.id))
    assert row is not None and row.token_hash != token  # only a keyed hash is stored
    assert timedelta(hours=7.9) < row.expires_at - utcnow() <= timedelta(hours=8)
    assert find_user(db, user.username) is user and find_user(db, "nobody") is None


@pytest.mark.parametrize("who", ["wrong password", "unknown user", "disabled user"])
def test_a_refused_login_opens_nothing_and_is_audited_with_the_address(
        db: Session, user: User, who: str) -> None:
    username, password = user.username, PASSWORD
    if who == "wrong password":
        password = "guess"
    elif who == "unknown user":
        username = "nobody-" + user.username
    else:
        user.is_active = False
    assert login(db, username, password, 8, KEY, "198.51.100.7") is None
    assert failures(db, username) == ["address:198.51.100.7"]
    assert db.scalar(select(UserSession).where(UserSession.user_id == user.id)) is None


def test_logout_ends_only_that_session_and_may_be_repeated(db: Session, user: User) -> None:
    first = login(db, user.username, PASSWORD, 8, KEY, "192.0.2.1")
    second = login(db, user.username, PASSWORD, 8, KEY, "192.0.2.2")
    assert first and second
    logout(db, first, KEY)
    logout(db, first, KEY)
    assert user_for_session_token(db, first, KEY) is None
    assert user_for_session_token(db, second, KEY) is user


def test_an_expired_session_or_a_disabled_user_resolves_to_nobody(db: Session,
                                                                  user: User) -> None:
    token = login(db, user.username, PASSWORD, 8, KEY, "192.0.2.1")
    assert token
    user.is_active = False
    assert user_for_session_token(db, token, KEY) is None
    user.is_active = True
    db.execute(update(UserSession).where(UserSession.user_id == user.id)
               .values(expires_at=utcnow() - timedelta(seconds=1)))
    assert user_for_session_token(db, token, KEY) is None


def test_a_login_clears_expired_sessions(db: Session, user: User) -> None:
    old = login(db, user.username, PASSWORD, 8, KEY, "192.0.2.1")
    db.execute(update(UserSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert login(db, user.username, PASSWORD, 8, KEY, "192.0.2.1")
    assert old and db.scalar(select(UserSession).where(
        UserSession.token_hash != "").where(UserSession.expires_at < utcnow())) is None


@pytest.fixture
def device(db: Session) -> tuple[Device, DeviceToken]:
    site = Site(name=f"考点 {next(_names)}")
    db.add(site)
    db.flush()
    device = Device(site_id=site.id, name="agent", token_hash="")
    db.add(device)
    db.flush()
    token = DeviceToken.generate(device.id)
    device.token_hash = hash_token(token.secret)
    db.flush()
    return device, token


def test_a_device_token_finds_its_active_device_only(db: Session,
                                                     device: tuple[Device, DeviceToken]) -> None:
    owner, token = device
    assert device_for_token(db, str(token)) is owner
    other = DeviceToken(owner.id + 1000, token.secret)
    assert device_for_token(db, str(other)) is None  # no such device
    assert device_for_token(db, str(DeviceToken.generate(owner.id))) is None  # wrong secret
    owner.is_active = False
    assert device_for_token(db, str(token)) is None


@pytest.mark.parametrize("presented", [
    "", "pdt", "pdt_1", "pdt_1_short", "pst_1_" + "a" * 43, "pdt_x_" + "a" * 43,
    "pdt_-1_" + "a" * 43, "pdt_١_" + "a" * 43,  # an Arabic-Indic digit is not an id
    "pdt_9223372036854775808_" + "a" * 43,  # beyond any row id: not a database error
    "pdt_" + "9" * 5000 + "_" + "a" * 43,  # longer than int() converts
    "pdt_0_" + "a" * 43,
])
def test_a_malformed_device_token_is_nobody(db: Session, presented: str) -> None:
    assert device_for_token(db, presented) is None
