"""The console's pages and assets (from ``settings.web_dir``) and the metrics endpoint."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from pathlib import Path

from fastapi import APIRouter, FastAPI, HTTPException, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import FileResponse, RedirectResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException

from proctor.api.deps import ServicesDep, SessionDep, SettingsDep
from proctor.api.identity import authenticate, bearer_token
from proctor.api.public import PUBLIC
from proctor.config import Settings
from proctor.db.models import Role

router = APIRouter(include_in_schema=False)


@router.get("/", openapi_extra=PUBLIC)
def home() -> RedirectResponse:
    """The console starts at the live page."""
    return RedirectResponse("/live", status_code=status.HTTP_303_SEE_OTHER)


# The console's pages: path -> the HTML file in ``settings.web_dir``. Each page checks the
# login itself (its module asks /api/auth/me) and the API checks every call. Add a page here,
# and give its path a rule in tests/support/route_rules.py (docs/console.md).
PAGES: dict[str, str] = {
    "/login": "login.html",
    "/report": "report.html",  # a batch's 督导报告 (/report?batch=id), from the batches page
    "/live": "live.html",
    "/account": "account.html",
    "/archive": "archive.html",
    "/review": "review.html",
    "/admin": "admin.html",
    "/admin/users": "users.html",  # 用户与授权
    "/admin/scenes": "scenes.html",  # 场景与座位区域
    "/batches": "batches.html",
    "/oversight": "oversight.html",  # 三级监管: a region's summary and batches
    "/complaints": "complaints.html",  # the officers' workspace
    "/publicity": "publicity.html",  # public: a batch's 公示 and the complaint channel
    "/complain": "complain.html",  # public: the complaint form (投诉举报)
    "/track": "track.html",  # public: a complaint's progress by tracking code
}
# Paths that are not the console's: an unknown path under them keeps its JSON 404.
NOT_CONSOLE = ("/api/", "/static/", "/whip", "/whep", "/metrics", "/healthz", "/docs",
               "/redoc", "/openapi.json")


def _page_route(filename: str) -> Callable[[Settings], FileResponse]:
    def page(settings: SettingsDep) -> FileResponse:
        return FileResponse(settings.web_dir / filename)
    return page


for _path, _filename in PAGES.items():
    router.add_api_route(_path, _page_route(_filename), methods=["GET"], openapi_extra=PUBLIC,
                         name=f"page:{_filename}")


def install_not_found_page(app: FastAPI, web_dir: Path) -> None:
    """Answer a GET of an unknown console path with the console's "page not found" page
    (HTTP 404) instead of a bare JSON body; API and asset paths keep their JSON 404."""

    async def not_found(request: Request, error: Exception) -> Response:
        if (request.method == "GET" and "endpoint" not in request.scope
                and not request.url.path.startswith(NOT_CONSOLE)):
            return FileResponse(web_dir / "not_found.html", status_code=status.HTTP_404_NOT_FOUND)
        assert isinstance(error, StarletteHTTPException)
        return await http_exception_handler(request, error)

    app.add_exception_handler(status.HTTP_404_NOT_FOUND, not_found)


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
        if user.role is not Role.ADMIN:  # auditors read the audit log, not the whole server's
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail="metrics are for "
                                "administrators and the metrics token (PROCTOR_METRICS_TOKEN)")
    return Response(generate_latest(services.metrics), media_type=CONTENT_TYPE_LATEST)
