"""Logging users in and out, and resolving presented user and device credentials."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from proctor import audit
from proctor.actor import Actor
from proctor.auth.secrets import (
    MAX_ROW_ID,
    DeviceToken,
    hash_password,
    hash_session_token,
    new_session_token,
    verify_password,
)
from proctor.auth.throttle import LOGIN_FAILED, address_target
from proctor.db.base import utcnow
from proctor.db.models import Device, User, UserSession

_DUMMY_HASH = hash_password("no such user; this hash only equalises timing")


def find_user(session: Session, username: str) -> User | None:
    """Look a user up by name."""
    return session.scalar(select(User).where(User.username == username))


def login(
    session: Session, username: str, password: str, ttl_hours: float, key: bytes,
    address: str,
) -> str | None:
    """Check credentials and open a session; returns its token, or ``None`` if refused.

    ``key`` is the server secret the stored token hash is keyed with; ``address`` is the
    client's, recorded with a failure (see :mod:`proctor.auth.throttle`).
    """
    user = find_user(session, username)
    # an unknown name costs the same scrypt work, so timing does not reveal which names exist
    stored = user.password_hash if user is not None else _DUMMY_HASH
    if not verify_password(password, stored) or user is None or not user.is_active:
        audit.record(session, Actor.login_attempt(username), LOGIN_FAILED, address_target(address))
        return None
    token = new_session_token()
    session.add(
        UserSession(
            user_id=user.id,
            token_hash=hash_session_token(token, key),
            expires_at=utcnow() + timedelta(hours=ttl_hours),
        )
    )
    session.execute(delete(UserSession).where(UserSession.expires_at < utcnow()))
    audit.record(session, Actor.user(user.id), "auth.login", username=username)
    return token


def logout(session: Session, token: str, key: bytes) -> None:
    """End the session behind ``token`` (no error if it is already gone)."""
    token_hash = hash_session_token(token, key)
    session.execute(delete(UserSession).where(UserSession.token_hash == token_hash))


def user_for_session_token(session: Session, token: str, key: bytes) -> User | None:
    """The active user behind a live session token, or ``None``."""
    return user_for_token_hash(session, hash_session_token(token, key))


def user_for_token_hash(session: Session, token_hash: str) -> User | None:
    """The active user behind a live session, by its stored token hash, or ``None`` (logged
    out, expired, or the user is disabled)."""
    row = session.scalar(select(UserSession).where(UserSession.token_hash == token_hash))
    if row is None or row.expires_at < utcnow() or not row.user.is_active:
        return None
    return row.user


def device_for_token(session: Session, presented: str) -> Device | None:
    """The active device that owns ``presented``, or ``None`` (a pure read: no write lock)."""
    token = DeviceToken.parse(presented)
    if token is None or not 1 <= token.device_id <= MAX_ROW_ID:  # beyond: a database error
        return None
    device = session.get(Device, token.device_id)
    if device is None or not device.is_active or not token.matches(device.token_hash):
        return None
    return device
