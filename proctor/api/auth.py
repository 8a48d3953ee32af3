"""Console login and logout, and changing one's own password."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status

from proctor import directory
from proctor.api.deps import CurrentScope, CurrentUser, SessionDep, SettingsDep
from proctor.api.identity import SESSION_COOKIE, presented_session_token
from proctor.api.public import PUBLIC
from proctor.api.schemas import (
    CurrentUserView,
    LoginRequest,
    LoginResponse,
    PasswordChange,
    UserPublic,
)
from proctor.auth import attempts, sessions
from proctor.auth.secrets import hash_session_token

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/login", responses={429: {"description": "too many failed logins: wait"}},
             openapi_extra=PUBLIC)
def login(
    body: LoginRequest, request: Request, response: Response, db: SessionDep,
    settings: SettingsDep,
) -> LoginResponse:
    """Check username and password; sets an HttpOnly session cookie and returns the token.
    After too many failures from the client's address, refuses with 429 and Retry-After."""
    address = _client_address(request)
    with attempts.counted_attempt(db, body.username, address, settings.login_limits):
        token = attempts.log_in(db, body.username, body.password, settings.session_ttl_hours,
                                settings.session_key, address)
    if token is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="wrong username or password")
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


def _client_address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT,
             responses={403: {"description": "the current password is wrong"},
                        429: {"description": "too many wrong passwords: wait"}})
def change_password(body: PasswordChange, request: Request, db: SessionDep, user: CurrentUser,
                    settings: SettingsDep) -> None:
    """Change your own password; your other sessions end (and the live viewing they opened),
    this one continues. A wrong current password counts as a failed login."""
    address = _client_address(request)
    with attempts.counted_attempt(db, user.username, address, settings.login_limits):
        attempts.confirm_password(db, user, body.current_password, address)
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
