"""Request dependencies: settings, database session, media service and the caller's identity.

Identity dependencies are plain functions, so FastAPI runs their database look-ups in its
thread pool and async WebRTC handlers never block the event loop on the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urlsplit
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.orm import Session

from proctor.auth.live_access import LiveAccessGuard
from proctor.auth.policy import Permission, has_permission
from proctor.auth.sessions import device_for_token, user_for_session_token
from proctor.config import Settings
from proctor.db.session import session_scope
from proctor.db.models import Device, User
from proctor.media.service import MediaService
from proctor.recording.service import Recording

if TYPE_CHECKING:
    from proctor.vision.analyzer import Analyzer

SESSION_COOKIE = "proctor_session"


def get_settings(request: Request) -> Settings:
    """The running server's settings."""
    return request.app.state.settings  # type: ignore[no-any-return]


def get_db(request: Request) -> Iterator[Session]:
    """A database session committed when the request succeeds."""
    with session_scope(request.app.state.session_factory) as session:
        yield session


def get_media(request: Request) -> MediaService:
    """The live media service."""
    return request.app.state.media  # type: ignore[no-any-return]


def get_recording(request: Request) -> Recording:
    """Ingest and archive services; 503 when no object store is configured."""
    recording: Recording | None = request.app.state.recording
    if recording is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE,
                            detail="recording is not configured on this server (PROCTOR_S3_ENDPOINT)")
    return recording


def get_analyzer(request: Request) -> Analyzer | None:
    """The live analyzer, or ``None`` when analysis is switched off."""
    return request.app.state.analyzer  # type: ignore[no-any-return]


def get_live_access(request: Request) -> LiveAccessGuard:
    """The guard that ends live sessions whose access is gone."""
    return request.app.state.live_access  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings)]
LiveAccessDep = Annotated[LiveAccessGuard, Depends(get_live_access)]
AnalyzerDep = Annotated["Analyzer | None", Depends(get_analyzer)]
# scope="function": commit before the response is sent, so a client acting on the response
# (e.g. right after login) always sees the committed rows.
SessionDep = Annotated[Session, Depends(get_db, scope="function")]
MediaDep = Annotated[MediaService, Depends(get_media)]
RecordingDep = Annotated[Recording, Depends(get_recording)]


def bearer_token(request: Request) -> str | None:
    """The token in ``Authorization: Bearer ...``, if any."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def presented_session_token(request: Request) -> str | None:
    """The console session token the request came with (bearer first, then the cookie)."""
    return bearer_token(request) or request.cookies.get(SESSION_COOKIE) or None


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=message, headers={"WWW-Authenticate": "Bearer"}
    )


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def refuse_cross_origin(request: Request) -> None:
    """A cookie-authenticated change must come from this server's own pages (CSRF defence
    on top of the SameSite=Strict cookie, which a sibling subdomain or port would pass)."""
    source = request.headers.get("origin") or request.headers.get("referer") or ""
    if urlsplit(source).netloc != request.headers.get("host", ""):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            detail="cross-origin request refused: send it from the console "
                            "or authenticate with a bearer token")


def get_current_user(request: Request, db: SessionDep, settings: SettingsDep) -> User:
    """The logged-in user (session cookie or ``Bearer pst_...``); 401 otherwise."""
    token = bearer_token(request)
    if token is None:
        token = request.cookies.get(SESSION_COOKIE)
        if token and request.method not in SAFE_METHODS:
            refuse_cross_origin(request)
    if not token:
        raise _unauthorized("log in first: no session cookie or bearer token was sent")
    user = user_for_session_token(db, token, settings.session_key)
    if user is None:
        raise _unauthorized("session expired or invalid: log in again")
    return user


def get_current_device(request: Request, db: SessionDep) -> Device:
    """The edge device presenting ``Bearer pdt_...``; 401 otherwise."""
    token = bearer_token(request)
    if token is None:
        raise _unauthorized("missing device token: send 'Authorization: Bearer <device token>'")
    device = device_for_token(db, token)
    if device is None:
        raise _unauthorized("device token not valid: re-enroll the device or rotate its token")
    return device


CurrentUser = Annotated[User, Depends(get_current_user)]
CurrentDevice = Annotated[Device, Depends(get_current_device)]


def require_permission(permission: Permission) -> Callable[[User], User]:
    """A route dependency refusing users whose role lacks ``permission`` (403)."""

    def check(user: CurrentUser) -> User:
        if not has_permission(user, permission):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"role '{user.role.value}' may not {permission.value.replace('_', ' ')}",
            )
        return user

    return check
