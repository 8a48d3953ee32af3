"""Console login and logout."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status

from proctor.api.deps import SESSION_COOKIE, CurrentUser, SessionDep, SettingsDep, bearer_token
from proctor.api.schemas import LoginRequest, LoginResponse, UserPublic
from proctor import audit
from proctor.auth import sessions, throttle
from proctor.db.base import utcnow
from proctor.directory import find_user

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/login", responses={429: {"description": "too many failed logins: wait"}})
def login(
    body: LoginRequest, request: Request, response: Response, db: SessionDep,
    settings: SettingsDep,
) -> LoginResponse:
    """Check username and password; sets an HttpOnly session cookie and returns the token.
    After too many failures from the client's address, refuses with 429 and Retry-After."""
    address = request.client.host if request.client is not None else "unknown"
    wait_s = throttle.retry_after(db, body.username, address, settings.login_limits, utcnow())
    if wait_s is not None:
        audit.record(db, f"user:{body.username}", "auth.login_throttled",
                     throttle.address_target(address))
        db.commit()
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, headers={"Retry-After": str(wait_s)},
            detail=f"too many failed logins from this address: try again in "
                   f"{-(-wait_s // 60)} min, or ask an administrator to reset the password")
    token = sessions.login(
        db, body.username, body.password, settings.session_ttl_hours, settings.session_key,
        address,
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
