"""Console login and logout, and changing one's own password."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from fastapi import APIRouter, HTTPException, Request, Response, status
from sqlalchemy.orm import Session

from proctor import audit, directory
from proctor.api.deps import CurrentScope, CurrentUser, SessionDep, SettingsDep
from proctor.api.identity import SESSION_COOKIE, presented_session_token
from proctor.api.schemas import (
    CurrentUserView, LoginRequest, LoginResponse, PasswordChange, UserPublic,
)
from proctor.auth import sessions, throttle
from proctor.auth.secrets import hash_session_token, verify_password
from proctor.config import Settings
from proctor.db.base import utcnow

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/login", responses={429: {"description": "too many failed logins: wait"}})
def login(
    body: LoginRequest, request: Request, response: Response, db: SessionDep,
    settings: SettingsDep,
) -> LoginResponse:
    """Check username and password; sets an HttpOnly session cookie and returns the token.
    After too many failures from the client's address, refuses with 429 and Retry-After."""
    with _counted_attempt(request, db, settings, body.username) as address:
        token = sessions.login(
            db, body.username, body.password, settings.session_ttl_hours, settings.session_key,
            address,
        )
        if token is None:
            db.commit()  # keep the audit entry of the failed attempt: it counts
            raise HTTPException(status.HTTP_401_UNAUTHORIZED,
                                detail="wrong username or password")
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(settings.session_ttl_hours * 3600),
        httponly=True,
        secure=settings.cookie_secure,
        samesite="strict",
    )
    user = directory.find_user(db, body.username)
    return LoginResponse(token=token, user=UserPublic.model_validate(user))


@contextlib.contextmanager
def _counted_attempt(request: Request, db: Session, settings: Settings,
                     username: str) -> Iterator[str]:
    """A password attempt from the client's address (yielded): refused with 429 if it
    failed too often lately; otherwise the caller checks and records the outcome while
    parallel attempts from the same address wait (so each one is counted)."""
    address = request.client.host if request.client is not None else "unknown"
    limits = settings.login_limits
    with throttle.address_lock(address):
        now = utcnow()
        wait_s = throttle.retry_after(db, username, address, limits, now)
        if wait_s is not None:
            if not throttle.already_throttled(db, username, address, limits, now):
                audit.record(db, f"user:{username}", throttle.LOGIN_THROTTLED,
                             throttle.address_target(address))
                db.commit()
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS, headers={"Retry-After": str(wait_s)},
                detail="too many failed logins from this address: try again in "
                       f"{-(-wait_s // 60)} min")
        yield address


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT,
             responses={403: {"description": "the current password is wrong"},
                        429: {"description": "too many wrong passwords: wait"}})
def change_password(body: PasswordChange, request: Request, db: SessionDep, user: CurrentUser,
                    settings: SettingsDep) -> None:
    """Change your own password; your other sessions end (and the live viewing they opened),
    this one continues. A wrong current password counts as a failed login."""
    with _counted_attempt(request, db, settings, user.username) as address:
        if not verify_password(body.current_password, user.password_hash):
            audit.record(db, f"user:{user.username}", throttle.LOGIN_FAILED,
                         throttle.address_target(address))
            db.commit()
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                detail="the current password is wrong")
    token = presented_session_token(request)
    directory.set_password(db, f"user:{user.id}", user, body.new_password,
                           keep_token_hash=hash_session_token(token, settings.session_key)
                           if token else None)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(
    request: Request, response: Response, db: SessionDep, user: CurrentUser,
    settings: SettingsDep,
) -> None:
    """End the current session, and the live viewing it opened."""
    token = presented_session_token(request)
    if token:
        sessions.logout(db, token, settings.session_key)
    response.delete_cookie(SESSION_COOKIE)


@router.get("/me")
def me(user: CurrentUser, scope: CurrentScope) -> CurrentUserView:
    """The logged-in user, with the permissions of their role."""
    return CurrentUserView(**UserPublic.model_validate(user).model_dump(),
                           permissions=sorted(permission.value for permission in scope.permissions))
