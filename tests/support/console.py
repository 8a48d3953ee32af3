"""The console's REST API in-process (Starlette's test client: no socket), with an admin."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from proctor import directory
from proctor.app import create_app
from proctor.config import load_settings
from proctor.db.base import utcnow
from proctor.db.models import Role
from proctor.db.session import session_scope
from proctor.services import services_of
from support.drawn import HULI, SIMING, XIAMEN, SessionPlan, drawn_batch

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


def app_db(client: TestClient) -> AbstractContextManager[Session]:
    """A session on the running app's database, committed on success."""
    return session_scope(services_of(client.app).session_factory)  # type: ignore[arg-type]


def create_users(client: TestClient, admin: dict[str, str],
                 users: Iterable[tuple[str, str, list[int]]]) -> dict[str, int]:
    """Create each ``(username, role, site ids)`` through the API (with :data:`PASSWORD`);
    returns their ids by username."""
    ids = {}
    for name, role, sites in users:
        created = client.post("/api/users", headers=admin, json={
            "username": name, "password": PASSWORD, "role": role, "site_ids": sites})
        assert created.status_code == 201, created.text
        ids[name] = created.json()["id"]
    return ids


def regions_and_org(client: TestClient, admin: dict[str, str]) -> int:
    """福建省 > 厦门市 > 思明区 and 湖里区, and an organisation in 思明区; returns its id."""
    for code, name in (("350000", "福建省"), (XIAMEN, "厦门市"), (SIMING, "思明区"),
                       (HULI, "湖里区")):
        response = client.post("/api/regions", json={"code": code, "name": name}, headers=admin)
        assert response.status_code == 201, response.text
    org = client.post("/api/organisations", headers=admin, json={
        "name": "厦门技师学院", "kind": "college", "region_code": SIMING})
    assert org.status_code == 201, org.text
    return int(org.json()["id"])


def supervisor(client: TestClient, admin: dict[str, str], name: str = "sup") -> int:
    """A console user of role supervisor (no sites); returns its id."""
    return create_users(client, admin, [(name, "supervisor", [])])[name]


@dataclass(frozen=True)
class DrawnSites:
    """Two sites; ``sup`` is drawn for a batch whose session used the ``granted`` site's room
    for three hours from ``start`` (an hour ago), and has no grant of the ``other``."""

    admin: dict[str, str]
    granted: dict[str, int]  # build_site's ids
    other: dict[str, int]
    start: datetime


def drawn_sites(client: TestClient) -> DrawnSites:
    """Regions, an organisation, two sites and the drawn supervisor ``sup``."""
    admin = login(client, "root")
    org_id = regions_and_org(client, admin)
    granted, other = build_site(client, admin, "S1"), build_site(client, admin, "S2")
    user_id = supervisor(client, admin)
    start = utcnow().replace(microsecond=0) - timedelta(hours=1)
    with app_db(client) as db:
        drawn_batch(db, org_id, user_id, start + timedelta(days=10),
                    [SessionPlan(start, start + timedelta(hours=3), [granted["room"]])])
    return DrawnSites(admin, granted, other, start)
