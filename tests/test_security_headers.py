"""Every response carries the security headers: a CSP of this origin only, no framing, no
MIME sniffing, no Referer; HSTS only when the server is configured behind HTTPS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from proctor.api.security_headers import CONSOLE_CSP
from proctor.app import create_app
from proctor.config import load_settings

PATHS = ["/login", "/live", "/static/style.css", "/api/auth/me", "/api/cameras/1",
         "/no/such/page", "/healthz"]


def _client(data_dir: Path, **overrides: object) -> Iterator[TestClient]:
    settings = load_settings(data_dir=data_dir, ice_host_addresses=["127.0.0.1"],
                             analysis_enabled=False, **overrides)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    yield from _client(tmp_path)


@pytest.mark.parametrize("path", PATHS)
def test_every_response_has_the_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    assert headers["content-security-policy"] == CONSOLE_CSP
    assert "frame-ancestors 'none'" in CONSOLE_CSP and "'unsafe-inline'" not in CONSOLE_CSP
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in headers


def test_a_refused_body_has_them_too(client: TestClient) -> None:
    response = client.post("/api/auth/login", content=b"x" * (2 << 20),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.headers["x-frame-options"] == "DENY"


def test_console_pages_have_no_inline_script_or_style(client: TestClient) -> None:
    for page in ("/login", "/live", "/account"):
        html = client.get(page).text
        assert "<style" not in html and " style=" not in html
        assert all("src=" in tag for tag in html.split("<script")[1:]), page


def test_hsts_behind_https(tmp_path: Path) -> None:
    for client in _client(tmp_path, cookie_secure=True):
        assert "max-age=" in client.get("/login").headers["strict-transport-security"]
