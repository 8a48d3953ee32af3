"""The API's own documentation: ``/docs`` (Swagger UI) and ``/openapi.json``.

Swagger UI is served from vendored files (:data:`ASSETS_DIR`, swagger-ui-dist
:data:`SWAGGER_UI_VERSION`), never from a CDN: the page works without internet and the
browser contacts only this server. The map of the API is for logged-in users: the page is a
shell that sends a visitor without a login to the login form, and ``/openapi.json`` answers
401 without one. ReDoc is off (it would be a second vendored bundle for the same map).
Production serves neither (``create_app``).
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from proctor.api.deps import CurrentUser
from proctor.api.public import PUBLIC

SWAGGER_UI_VERSION = "5.35.0"
ASSETS_DIR = Path(__file__).resolve().parent / "swagger_ui"
ASSETS_URL = "/docs/assets"
OPENAPI_URL = "/openapi.json"

router = APIRouter(include_in_schema=False)


@router.get("/docs", openapi_extra=PUBLIC)
def swagger_ui() -> HTMLResponse:
    """Swagger UI from local assets (a shell: the map itself needs a login)."""
    page = get_swagger_ui_html(
        openapi_url=OPENAPI_URL, title="Proctor API",
        swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_URL}/favicon-32x32.png",
        oauth2_redirect_url=None,
        swagger_ui_parameters={"validatorUrl": None},  # no badge from validator.swagger.io
    )
    login_first = f'<script src="{ASSETS_URL}/login-first.js"></script>\n</head>'
    html = bytes(page.body).decode().replace("</head>", login_first, 1)
    return HTMLResponse(html)


@router.get(OPENAPI_URL)
def openapi(request: Request, user: CurrentUser) -> JSONResponse:
    """The OpenAPI document of this server, for logged-in users."""
    return JSONResponse(cast(FastAPI, request.app).openapi())
