"""REST of the supervisor pool and the draws: administrators only (others 403, nobody 401),
a stored draw for auditors, inspection samples and the not-inspected report, and the public
page (一公开) that shows the drawn supervisors by name and nothing more personal."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from support.batches import build_world
from support.console import app_db, console_client, login
from support.draws import filed_batch

from proctor import directory
from proctor.api import draws, public_draws, supervisors
from proctor.api.public import is_public
from proctor.db.models import Role

PASSWORD = "a-long-password"


@dataclass(frozen=True)
class Setup:
    client: TestClient
    headers: dict[str, dict[str, str]]  # by role name
    batch: int
    organisation: int
    supervisor_user: int


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    with console_client(tmp_path) as client:
        with app_db(client) as db:
            world = build_world(db)
            batch = filed_batch(db, world).id
            users = {role: directory.create_user(db, "test", role.value, PASSWORD, role).id
                     for role in (Role.SUPERVISOR, Role.AUDITOR, Role.ORG_OPERATOR)}
        headers = {name: login(client, name) for name in ("root", "supervisor", "auditor",
                                                          "org_operator")}
        client.cookies.clear()  # every request below says who it is (or nobody)
        yield Setup(client, headers, batch, world.organisation, users[Role.SUPERVISOR])


def _add_pool(s: Setup, count: int = 3) -> list[dict[str, object]]:
    added = []
    for i in range(count):
        body = {"name": f"督导员{i}", "region_code": "350203",
                "qualification_number": f"QN-SECRET-{i:04d}"}
        if i == 0:
            body["user_id"] = s.supervisor_user
        response = s.client.post("/api/supervisors", json=body, headers=s.headers["root"])
        assert response.status_code == 201, response.text
        added.append(response.json())
    return added


def test_only_administrators_manage_the_pool_and_draw(setup: Setup) -> None:
    s = setup
    _add_pool(s)
    for role in ("supervisor", "auditor", "org_operator"):
        h = s.headers[role]
        assert s.client.get("/api/supervisors", headers=h).status_code == 403
        assert s.client.post("/api/supervisors", json={}, headers=h).status_code in (403, 422)
        assert s.client.post(f"/api/batches/{s.batch}/draws", json={"supervisors": 1},
                             headers=h).status_code == 403
        assert s.client.post("/api/supervisors/1/deactivate", json={"reason": "x"},
                             headers=h).status_code == 403
    assert s.client.get("/api/supervisors").status_code == 401
    assert s.client.post(f"/api/batches/{s.batch}/draws",
                         json={"supervisors": 1}).status_code == 401


def test_a_draw_through_the_api_and_who_may_read_it(setup: Setup) -> None:
    s = setup
    _add_pool(s)
    response = s.client.post(f"/api/batches/{s.batch}/draws", json={"supervisors": 2},
                             headers=s.headers["root"])
    assert response.status_code == 201, response.text
    draw = response.json()
    assert len(draw["result"]) == 2 and draw["seed"] and draw["commitment"]
    for role, expected in (("root", 200), ("auditor", 200), ("supervisor", 403),
                           ("org_operator", 403)):
        assert s.client.get(f"/api/draws/{draw['id']}",
                            headers=s.headers[role]).status_code == expected
    assert s.client.get(f"/api/draws/{draw['id']}").status_code == 401
    assert s.client.get("/api/draws/99999", headers=s.headers["root"]).status_code == 404
    again = s.client.post(f"/api/batches/{s.batch}/draws", json={"supervisors": 1},
                          headers=s.headers["root"])
    assert again.status_code == 409 and "supervisors_drawn" in again.json()["detail"]


def test_conflicts_and_an_emptied_pool_answer_409_naming_the_filters(setup: Setup) -> None:
    s = setup
    pool = _add_pool(s, count=2)
    root = s.headers["root"]
    first, second = (p["id"] for p in pool)
    assert s.client.post(f"/api/supervisors/{first}/deactivate", json={"reason": "调离"},
                         headers=root).status_code == 200
    conflict = s.client.post(f"/api/supervisors/{second}/conflicts",
                             json={"kind": "师生", "organisation_id": s.organisation},
                             headers=root)
    assert conflict.status_code == 201, conflict.text
    listed = s.client.get(f"/api/supervisors/{second}/conflicts", headers=root).json()
    assert [c["kind"] for c in listed] == ["师生"]
    both = s.client.post(f"/api/supervisors/{second}/conflicts",
                         json={"kind": "同事", "organisation_id": s.organisation,
                               "person": "张三"}, headers=root)
    assert both.status_code == 400
    refused = s.client.post(f"/api/batches/{s.batch}/draws", json={"supervisors": 1},
                            headers=root)
    assert refused.status_code == 409
    assert "inactive 1" in refused.json()["detail"]
    assert "declared conflict of interest 1" in refused.json()["detail"]


def test_hostile_input_gets_a_clear_4xx(setup: Setup) -> None:
    s = setup
    root = s.headers["root"]
    for path, body in ((f"/api/batches/{s.batch}/draws", {"supervisors": 0}),
                       ("/api/batches/abc/draws", {"supervisors": 1}),
                       (f"/api/batches/{2**70}/draws", {"supervisors": 1}),
                       ("/api/supervisors", {"name": "x\u0000", "region_code": "350203",
                                             "qualification_number": "Q"}),
                       ("/api/supervisors", {"name": "x", "region_code": "999999",
                                             "qualification_number": "Q"}),
                       ("/api/inspection-draws", {"first_day": "2026-03-31",
                                                  "last_day": "2026-03-01", "on_site": 1,
                                                  "replay": 0})):
        status = s.client.post(path, json=body, headers=root).status_code
        assert 400 <= status < 500, (path, body, status)
    assert s.client.get("/api/organisations/not-inspected?year=abc",
                        headers=root).status_code == 422


def test_inspection_draw_and_the_not_inspected_report(setup: Setup) -> None:
    s = setup
    root = s.headers["root"]
    before = s.client.get("/api/organisations/not-inspected?year=2026", headers=root)
    assert [o["id"] for o in before.json()] == [s.organisation]
    response = s.client.post("/api/inspection-draws", json={
        "first_day": "2026-03-01", "last_day": "2026-03-31", "on_site": 0, "replay": 1},
        headers=root)
    assert response.status_code == 201, response.text
    assert response.json()["result"] == [str(s.batch)]
    after = s.client.get("/api/organisations/not-inspected?year=2026", headers=s.headers[
        "auditor"])
    assert after.status_code == 200 and after.json() == []
    assert s.client.get("/api/organisations/not-inspected?year=2025",
                        headers=root).json()[0]["id"] == s.organisation
    too_many = s.client.post("/api/inspection-draws", json={
        "first_day": "2026-03-01", "last_day": "2026-03-31", "on_site": 2, "replay": 0},
        headers=root)
    assert too_many.status_code == 409


def test_the_public_page_shows_names_and_proofs_but_no_other_personal_data(
        setup: Setup) -> None:
    s = setup
    pool = _add_pool(s)
    s.client.post(f"/api/supervisors/{pool[2]['id']}/conflicts",
                  json={"kind": "近亲属", "person": "欧阳某某"}, headers=s.headers["root"])
    draw = s.client.post(f"/api/batches/{s.batch}/draws", json={"supervisors": 2},
                         headers=s.headers["root"]).json()
    names = {str(p["id"]): p["name"] for p in pool}
    page = s.client.get("/public/draws")  # no login
    listing = s.client.get("/api/public/draws")
    assert page.status_code == listing.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    (public,) = listing.json()
    assert public["supervisors"] == [names[i] for i in draw["result"]]
    assert public["seed"] == draw["seed"] and public["commitment"] == draw["commitment"]
    assert public["batch"]["organisation"] == "厦门某某机械有限公司"
    for text in (page.text, listing.text):
        assert draw["snapshot_sha256"] in text and draw["seed"] in text
        assert all(names[i] in text for i in draw["result"])
        assert "QN-SECRET" not in text  # no qualification numbers
        assert "欧阳某某" not in text and "近亲属" not in text  # no conflicts
        assert "user_id" not in text and "qualification" not in text


def test_only_the_public_routes_are_marked_public() -> None:
    routers = (draws.router, supervisors.router, public_draws.router)
    marked = {route.path for router in routers for route in router.routes
              if isinstance(route, APIRoute) and is_public(route)}
    assert marked == {"/public/draws", "/api/public/draws"}
