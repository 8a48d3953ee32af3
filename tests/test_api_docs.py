"""``/docs`` works without internet: Swagger UI from vendored files, the browser talks to
nobody but this server, and the API map needs a login."""

from __future__ import annotations

import hashlib
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from support.browser import chromium
from support.console import login
from support.stack import PASSWORD, Stack

from proctor.api.api_docs import ASSETS_DIR, SWAGGER_UI_VERSION
from proctor.app import create_app
from proctor.config import load_settings

EXTERNAL_URL = re.compile(r"""(?:src|href)=["']?(?:https?:)?//""")


def test_page_loads_only_local_assets(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "/docs/assets/swagger-ui-bundle.js" in page.text
    assert "/docs/assets/login-first.js" in page.text
    assert not EXTERNAL_URL.search(page.text), page.text
    for asset, kind in (("swagger-ui-bundle.js", "javascript"), ("swagger-ui.css", "text/css"),
                        ("login-first.js", "javascript")):
        served = client.get(f"/docs/assets/{asset}")
        assert served.status_code == 200 and kind in served.headers["content-type"]
    assert client.get("/redoc").status_code == 404  # ReDoc would load from a CDN: off


def test_the_api_map_needs_a_login(client: TestClient) -> None:
    client.cookies.clear()
    refused = client.get("/openapi.json")
    assert refused.status_code == 401
    allowed = client.get("/openapi.json", headers=login(client, "root"))
    assert allowed.status_code == 200
    assert "/api/cameras/{camera_id}/clip.mp4" in allowed.json()["paths"]


def test_production_serves_no_api_map(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, environment="production",
                             secret_key=secrets.token_hex(32), cookie_secure=True,
                             forwarded_allow_ips="127.0.0.1")
    paths = {getattr(route, "path", "") for route in create_app(settings).routes}
    assert not paths & {"/docs", "/openapi.json", "/redoc", "/docs/assets"}


def test_vendored_files_are_the_pinned_release() -> None:
    readme = (ASSETS_DIR / "README.md").read_text()
    assert f"**{SWAGGER_UI_VERSION}**" in readme
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        digest = hashlib.sha256((ASSETS_DIR / name).read_bytes()).hexdigest()
        assert f"| {name} | {digest} |" in readme, name
    assert "Apache License" in (ASSETS_DIR / "LICENSE").read_text()


@pytest.mark.browser
def test_docs_render_in_a_browser_that_reaches_only_this_server(stack: Stack,
                                                                tmp_path: Path) -> None:
    requested: list[str] = []
    with chromium(tmp_path / "profile") as browser:
        page = browser.new_page()
        page.on("request", lambda request: requested.append(request.url))
        page.goto(f"{stack.url}/docs")
        page.wait_for_url("**/login?next=%2Fdocs")  # no login: sent to the form first
        answer = browser.request.post(f"{stack.url}/api/auth/login",
                                      data={"username": "sup_a", "password": PASSWORD})
        assert answer.ok, answer.text()
        page.goto(f"{stack.url}/docs")
        page.locator(".opblock").first.wait_for(timeout=60_000)
        assert page.locator(".opblock").count() > 50
        assert page.get_by_text("/api/cameras/{camera_id}/clip.mp4").count() >= 1
        assert page.url.endswith("/docs")
    hosts = {urlsplit(url).hostname for url in requested if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}, sorted(set(requested))
