"""The API map and the answers around it: every schema in it is valid JSON Schema (what
OpenAPI 3.1 uses), every operation declares the refusals the app may answer, file routes
declare what they send (not JSON), and a 405 names every method of the path in ``Allow``
(not only the first route's)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from proctor.api.schema_base import ERROR_ANSWERS
from proctor.app import create_app
from proctor.config import load_settings


@pytest.fixture(scope="module")
def client() -> Any:
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(load_settings(data_dir=Path(data_dir), analysis_enabled=False))
        yield TestClient(app)


def schemas(node: Any, at: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every JSON Schema of an OpenAPI document: components and those inline under a
    ``schema`` key (parameters, bodies, answers), with where each is."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "schema" or at == "#/components/schemas":
                yield f"{at}/{key}", value
            else:
                yield from schemas(value, f"{at}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from schemas(value, f"{at}/{index}")


def test_every_schema_is_valid_json_schema(client: TestClient) -> None:
    document = client.app.openapi()  # type: ignore[attr-defined]
    assert document["openapi"].startswith("3.1")
    found = dict(schemas(document))
    assert "#/components/schemas/CoverageReport" in found
    # pairs are plain two-item arrays: OpenAPI tools (schemathesis's response validator
    # among them) turned the coverage's prefixItems into an invalid ``items`` list
    assert not [at for at, schema in found.items() if "prefixItems" in json.dumps(schema)]
    invalid = [at for at, schema in found.items() if not jsonschema_rs.meta.is_valid(schema)]
    assert invalid == []


def test_every_operation_declares_the_refusals(client: TestClient) -> None:
    for path, operations in client.app.openapi()["paths"].items():  # type: ignore[attr-defined]
        for method, operation in operations.items():
            declared = set(operation["responses"])
            assert {str(code) for code in ERROR_ANSWERS} <= declared, (method, path)


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
