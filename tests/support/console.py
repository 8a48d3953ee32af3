"""The console's REST API in-process (Starlette's test client: no socket), with an admin."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from proctor import directory
from proctor.app import create_app
from proctor.config import load_settings
from proctor.db.models import Role
from proctor.db.session import session_scope
from proctor.services import services_of

PASSWORD = "a-long-password"


@contextmanager
def console_client(data_dir: Path, **settings: Any) -> Iterator[TestClient]:
    """A running app on a fresh database in ``data_dir``, with the admin ``root``;
    ``settings`` override the defaults (e.g. an object store)."""
    app = create_app(load_settings(**{"data_dir": data_dir, "ice_host_addresses": ["127.0.0.1"],
                                      "analysis_enabled": False} | settings))
    with TestClient(app) as client:
        with session_scope(services_of(app).session_factory) as db:
            directory.create_user(db, "test", "root", PASSWORD, Role.ADMIN)
        yield client


def login(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Log in and return the bearer header."""
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def build_site(client: TestClient, admin: dict[str, str], name: str) -> dict[str, int]:
    """A site with one room, one device and one camera; returns their ids."""
    site = client.post("/api/sites", json={"name": name}, headers=admin).json()
    room = client.post("/api/rooms", json={"site_id": site["id"], "name": "R1"},
                       headers=admin).json()
    device = client.post("/api/devices", json={"site_id": site["id"], "name": "edge"},
                         headers=admin).json()
    camera = client.post("/api/cameras", json={"room_id": room["id"], "name": "front",
                                               "device_id": device["device"]["id"]},
                         headers=admin).json()
    return {"site": site["id"], "room": room["id"], "device": device["device"]["id"],
            "camera": camera["id"]}
