"""The console's pages and assets (from ``settings.web_dir``) and the metrics endpoint."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import FileResponse, RedirectResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from proctor.api.deps import ServicesDep, SessionDep, SettingsDep
from proctor.api.identity import authenticate, bearer_token
from proctor.api.public import PUBLIC
from proctor.auth.scope import Permission, load_scope

router = APIRouter(include_in_schema=False)


@router.get("/", openapi_extra=PUBLIC)
def home() -> RedirectResponse:
    """The console starts at the live page."""
    return RedirectResponse("/live", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/login", openapi_extra=PUBLIC)
def login_page(settings: SettingsDep) -> FileResponse:
    """The login form."""
    return FileResponse(settings.web_dir / "login.html")


@router.get("/live", openapi_extra=PUBLIC)
def live_page(settings: SettingsDep) -> FileResponse:
    """Live view of the cameras the user may see (the page itself redirects to log in)."""
    return FileResponse(settings.web_dir / "live.html")


@router.get("/account", openapi_extra=PUBLIC)
def account_page(settings: SettingsDep) -> FileResponse:
    """The user's own account: changing the password (the page redirects to log in)."""
    return FileResponse(settings.web_dir / "account.html")


@router.get("/healthz", openapi_extra=PUBLIC)
def healthz() -> dict[str, str]:
    """Liveness for orchestrators: unauthenticated, and says nothing but that we are up."""
    return {"status": "ok"}


@router.get("/metrics")
def metrics(request: Request, services: ServicesDep, db: SessionDep) -> Response:
    """Prometheus metrics: the metrics token, or an administrator's session."""
    settings = services.settings
    presented = bearer_token(request)
    expected = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    if not (expected and presented
            and hmac.compare_digest(presented.encode(), expected.encode())):
        user = authenticate(request, db, settings.session_key)
        if not load_scope(db, user).can(Permission.READ_AUDIT_LOG):
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail="metrics are for administrators")
    return Response(generate_latest(services.metrics), media_type=CONTENT_TYPE_LATEST)
