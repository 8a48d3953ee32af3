"""The alert WebSocket follows access changes at once, not at its next 30 s recheck: a
disabled user's socket is closed, and a lost site grant gets a fresh hello (without that
site's cameras) straight away."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from proctor import directory
from proctor.api.alerts import RECHECK_S
from proctor.app import create_app
from proctor.config import load_settings
from proctor.db.models import Role
from proctor.db.session import session_scope
from proctor.services import services_of
from proctor_dev.provision import provision_site

PASSWORD = "a-long-password"
PROMPTLY_S = 10.0  # far below RECHECK_S even on a loaded machine


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[FastAPI, int, int]]:
    """The app, the supervisor's user id and its site's id."""
    app = create_app(load_settings(data_dir=tmp_path, ice_host_addresses=["127.0.0.1"],
                                   analysis_enabled=False))
    with TestClient(app):
        with session_scope(services_of(app).session_factory) as db:
            site = provision_site(db, "test", "Site A", "Room 1", ["front"])
            directory.create_user(db, "test", "admin", PASSWORD, Role.ADMIN)
            user = directory.create_user(db, "test", "sup", PASSWORD, Role.SUPERVISOR,
                                         site_ids=[site.site_id])
            user_id = user.id
        yield app, user_id, site.site_id


def _token(client: TestClient, username: str) -> str:
    response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    response.raise_for_status()
    return str(response.json()["token"])


def _next(socket: WebSocketTestSession) -> tuple[dict[str, Any], float]:
    """The next message from the server (a close included) and how long it took."""
    started = time.monotonic()
    message: dict[str, Any] = socket.receive()
    return message, time.monotonic() - started


def _change_later(client: TestClient, admin: str, user_id: int,
                  change: dict[str, object]) -> threading.Thread:
    """PATCH the user from another thread once the socket is waiting."""
    def patch() -> None:
        time.sleep(0.5)  # let the test block in receive() first
        client.patch(f"/api/users/{user_id}", json=change,
                     headers={"Authorization": f"Bearer {admin}"}).raise_for_status()
    thread = threading.Thread(target=patch)
    thread.start()
    return thread


@pytest.mark.parametrize("change", [{"is_active": False}])
def test_a_disabled_users_socket_closes_at_once(app: tuple[FastAPI, int, int],
                                               change: dict[str, object]) -> None:
    application, user_id, _ = app
    with TestClient(application) as client:
        admin, supervisor = _token(client, "admin"), _token(client, "sup")
        with client.websocket_connect(
                "/api/live/alerts", headers={"Authorization": f"Bearer {supervisor}"}) as socket:
            assert socket.receive_json()["type"] == "hello"
            changer = _change_later(client, admin, user_id, change)
            message, waited = _next(socket)
            changer.join()
    assert message["type"] == "websocket.close" and message["code"] == 1008, message
    assert waited < PROMPTLY_S < RECHECK_S, f"closed after {waited:.1f} s"


def test_a_lost_site_grant_is_followed_at_once(app: tuple[FastAPI, int, int]) -> None:
    application, user_id, _ = app
    with TestClient(application) as client:
        admin, supervisor = _token(client, "admin"), _token(client, "sup")
        with client.websocket_connect(
                "/api/live/alerts", headers={"Authorization": f"Bearer {supervisor}"}) as socket:
            assert socket.receive_json()["type"] == "hello"
            changer = _change_later(client, admin, user_id, {"site_ids": []})
            message, waited = _next(socket)
            changer.join()
    assert message["type"] == "websocket.send", message
    assert '"hello"' in message["text"]
    assert waited < PROMPTLY_S < RECHECK_S, f"new hello after {waited:.1f} s"
