"""Request dependencies: the server's services, a database session and the caller's identity
and scope.

Identity dependencies are plain functions, so FastAPI runs their database look-ups in its
thread pool and async WebRTC handlers never block the event loop on the database. The ones
that only hand out a service are ``async``: each plain one is a hop through that pool (40
threads), and a request holding a pooled connection while it waited for a thread, with every
thread waiting for a connection, stalled the server until the pool's 30 s timeout (bench
fleet, a storm of device requests). For the same reason the device's look-up hands its
connection back before the next dependency.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from sqlalchemy.orm import Session

from proctor.api.identity import authenticate, bearer_token
from proctor.auth.live_access import LiveAccessGuard
from proctor.auth.scope import Permission, Scope, load_scope
from proctor.auth.sessions import device_for_token
from proctor.config import Settings
from proctor.db.models import Device, User
from proctor.db.session import release_connection, session_scope
from proctor.errors import NotAuthenticated
from proctor.media.service import MediaService
from proctor.recording.service import Recording
from proctor.recording.store import ObjectStore
from proctor.services import Services, services_of

if TYPE_CHECKING:
    from proctor.vision.analyzer import Analyzer


async def get_services(request: Request) -> Services:
    """The running server's services."""
    return services_of(request.app)


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_settings(services: ServicesDep) -> Settings:
    """The running server's settings."""
    return services.settings


def get_db(services: ServicesDep) -> Iterator[Session]:
    """A database session committed when the request succeeds."""
    with session_scope(services.session_factory) as session:
        yield session


async def get_recording(services: ServicesDep) -> Recording:
    """Ingest and archive services; 503 when no object store is configured."""
    if services.recording is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail="recording is not "
                            "configured on this server (PROCTOR_S3_ENDPOINT)")
    return services.recording


async def get_store(services: ServicesDep) -> ObjectStore | None:
    """The object store, or ``None`` on a server without one: for services that decide
    access first and only then require it (:func:`proctor.recording.store.require_store`),
    so a refusal is 403/404 there too, never 503."""
    return None if services.recording is None else services.recording.store


async def get_media(services: ServicesDep) -> MediaService:
    """The live media service."""
    return services.media


async def get_analyzer(services: ServicesDep) -> Analyzer | None:
    """The live analyzer, or ``None`` when analysis is switched off."""
    return services.analyzer


async def get_live_access(services: ServicesDep) -> LiveAccessGuard:
    """The guard that ends live sessions whose access is gone."""
    return services.live_access


SettingsDep = Annotated[Settings, Depends(get_settings)]
LiveAccessDep = Annotated[LiveAccessGuard, Depends(get_live_access)]
AnalyzerDep = Annotated["Analyzer | None", Depends(get_analyzer)]
# scope="function": commit before the response is sent, so a client acting on the response
# (e.g. right after login) always sees the committed rows.
SessionDep = Annotated[Session, Depends(get_db, scope="function")]
MediaDep = Annotated[MediaService, Depends(get_media)]
RecordingDep = Annotated[Recording, Depends(get_recording)]
StoreDep = Annotated[ObjectStore | None, Depends(get_store)]


def get_current_user(request: Request, db: SessionDep, settings: SettingsDep) -> User:
    """The logged-in user (session cookie or ``Bearer pst_...``); 401 otherwise.

    This and the other plain (thread-run) dependencies that read hand their connection back
    before returning: a request holding one while it waits for a worker thread for its next
    dependency or its handler, while every thread waits for a connection, stalls the node
    until the pool's timeout (bench fleet, 1,000 cameras: 40 threads waiting in
    ``device_for_token`` and ``user_for_token_hash``, 15 connections idle in transaction
    after a scope or camera look-up)."""
    user = authenticate(request, db, settings.session_key)
    release_connection(db)
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_scope(user: CurrentUser, db: SessionDep, services: ServicesDep) -> Scope:
    """What the logged-in user may do, where and when (the connection handed back)."""
    scope = load_scope(db, user, sources=services.scope_sources)
    release_connection(db)
    return scope


CurrentScope = Annotated[Scope, Depends(get_scope)]


def get_current_device(request: Request, db: SessionDep) -> Device:
    """The edge device presenting ``Bearer pdt_...``; 401 otherwise."""
    token = bearer_token(request)
    if token is None:
        raise NotAuthenticated(
            "missing device token: send 'Authorization: Bearer <device token>'")
    device = device_for_token(db, token)
    if device is None:
        raise NotAuthenticated(
            "device token not valid: re-enroll the device or rotate its token")
    release_connection(db)
    return device


CurrentDevice = Annotated[Device, Depends(get_current_device)]


def require_permission(permission: Permission) -> Callable[[Scope], Scope]:
    """A route dependency refusing users whose role lacks ``permission`` (403)."""

    def check(scope: CurrentScope) -> Scope:
        scope.require(permission)
        return scope

    return check


def guarded_router(tag: str, permission: Permission) -> APIRouter:
    """A router under ``/api`` each of whose routes first requires ``permission`` (403)."""
    return APIRouter(prefix="/api", tags=[tag],
                     dependencies=[Depends(require_permission(permission))])
