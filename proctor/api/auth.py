"""Console login and logout."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status

from proctor.api.deps import SESSION_COOKIE, CurrentUser, SessionDep, SettingsDep, bearer_token
from proctor.api.schemas import LoginRequest, LoginResponse, UserPublic
from proctor.auth import sessions
from proctor.directory import find_user

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/login")
def login(
    body: LoginRequest, response: Response, db: SessionDep, settings: SettingsDep
) -> LoginResponse:
    """Check username and password; sets an HttpOnly session cookie and returns the token."""
    token = sessions.login(
        db, body.username, body.password, settings.session_ttl_hours, settings.session_key
    )
    if token is None:
        db.commit()  # keep the audit entry of the failed attempt
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="wrong username or password")
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(settings.session_ttl_hours * 3600),
        httponly=True,
        secure=settings.cookie_secure,
        samesite="strict",
    )
    user = find_user(db, body.username)
    return LoginResponse(token=token, user=UserPublic.model_validate(user))


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(
    request: Request, response: Response, db: SessionDep, user: CurrentUser,
    settings: SettingsDep,
) -> None:
    """End the current session."""
    token = bearer_token(request) or request.cookies.get(SESSION_COOKIE)
    if token:
        sessions.logout(db, token, settings.session_key)
    response.delete_cookie(SESSION_COOKIE)


@router.get("/me")
def me(user: CurrentUser) -> UserPublic:
    """The logged-in user."""
    return UserPublic.model_validate(user)
