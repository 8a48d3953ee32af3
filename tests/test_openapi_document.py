"""The API map and the answers around it: file routes declare what they send (not JSON),
and a 405 names every method of the path in ``Allow`` (not only the first route's)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from proctor.app import create_app
from proctor.config import load_settings


@pytest.fixture(scope="module")
def client() -> Any:
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(load_settings(data_dir=Path(data_dir), analysis_enabled=False))
        yield TestClient(app)


@pytest.mark.parametrize(("path", "method", "media_type"), [
    ("/api/cameras/{camera_id}/clip.mp4", "get", "video/mp4"),
    ("/api/cameras/{camera_id}/thumbnail.jpg", "get", "image/jpeg"),
    ("/api/cameras/{camera_id}/evidence", "post", "application/zip"),
])
def test_file_routes_declare_their_content_type(client: TestClient, path: str, method: str,
                                                media_type: str) -> None:
    answer = client.app.openapi()["paths"][path][method]["responses"]["200"]  # type: ignore[attr-defined]
    assert list(answer["content"]) == [media_type]
    assert answer["content"][media_type]["schema"] == {"type": "string", "format": "binary"}


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("DELETE", "/api/sites", "GET, POST"),  # two routes on the path: both named
    ("PUT", "/api/auth/login", "POST"),
    ("PATCH", "/api/cameras/1/clip.mp4", "GET"),
    ("PUT", "/static/style.css", "GET, HEAD"),
])
def test_a_405_names_every_allowed_method(client: TestClient, method: str, path: str,
                                          allow: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert f"use {allow}" in response.json()["detail"]
