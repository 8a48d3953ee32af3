"""The batch REST API through the real app: plan, roster upload, transitions with their 409
body, scope of reading, and hostile input answered with a clear 4xx."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from support.batches import ROSTER, World, build_world
from support.console import PASSWORD, app_db, login

CSV = {"Content-Type": "text/csv"}
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def world(client: TestClient) -> World:
    with app_db(client) as db:
        return build_world(db)


@pytest.fixture
def admin(client: TestClient) -> dict[str, str]:
    return login(client, "root")


def plan(client: TestClient, admin: dict[str, str], world: World,
         start: str = "2099-03-02T09:00:00+08:00") -> dict[str, int]:
    batch = client.post("/api/batches", headers=admin, json={
        "organisation_id": world.organisation, "occupation_name": "车工",
        "occupation_code": "6-18-01-01", "level": "四级", "mode": "操作技能考核"})
    assert batch.status_code == 201, batch.text
    session = client.post(f"/api/batches/{batch.json()['id']}/sessions", headers=admin, json={
        "name": "第一场", "starts_at": start, "ends_at": start.replace("T09", "T11")})
    assert session.status_code == 201, session.text
    room = client.post(f"/api/sessions/{session.json()['id']}/rooms", headers=admin,
                       json={"room_id": world.rooms[0], "expected_examinees": 30})
    assert room.status_code == 201, room.text
    return {"batch": batch.json()["id"], "session": session.json()["id"],
            "session_room": room.json()["id"]}


def test_plan_upload_a_roster_and_read_it_back(client: TestClient, admin: dict[str, str],
                                               world: World) -> None:
    ids = plan(client, admin, world)
    uploaded = client.put(f"/api/session-rooms/{ids['session_room']}/roster", headers=admin | CSV,
                          content=b"\xef\xbb\xbf" + ROSTER)
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json() | {"id": 0} == {
        "id": 0, "room_id": world.rooms[0], "expected_examinees": 2, "present": None,
        "absent": None, "candidates": 2, "examiners": 1, "invigilators": 1,
        "room_name": "第1考场", "site_id": world.site, "site_name": "厦门某某机械有限公司考点"}
    batch = client.get(f"/api/batches/{ids['batch']}", headers=admin).json()
    assert batch["state"] == "draft" and batch["level"] == "四级" and batch["flags"] == []
    assert batch["sessions"][0]["rooms"][0]["candidates"] == 2
    assert batch["sessions"][0]["starts_at"].startswith("2099-03-02T01:00:00")  # UTC
    listed = client.get("/api/batches", headers=admin,
                        params={"state": "draft", "level": "四级"}).json()
    assert [b["id"] for b in listed] == [ids["batch"]]
    assert client.get("/api/batches", headers=admin, params={"state": "filed"}).json() == []


def test_a_bad_roster_lists_every_line_and_imports_nothing(
        client: TestClient, admin: dict[str, str], world: World) -> None:
    ids = plan(client, admin, world)
    bad = "身份,编号,姓名,座位\n学生,1,张三,A1\n考生,,李四,A2\n".encode()
    response = client.put(f"/api/session-rooms/{ids['session_room']}/roster",
                          headers=admin | CSV, content=bad)
    assert response.status_code == 400
    assert [p["line"] for p in response.json()["problems"]] == [2, 3]
    assert "nothing imported" in response.json()["detail"]
    big = client.put(f"/api/session-rooms/{ids['session_room']}/roster", headers=admin | CSV,
                     content=b"x" * (300 * 1024))
    assert big.status_code == 413 and "limit" in big.json()["detail"]


def test_a_refused_transition_says_the_state_and_everything_missing(
        client: TestClient, admin: dict[str, str], world: World) -> None:
    ids = plan(client, admin, world, start="2026-03-02T09:00:00+08:00")  # long past
    url = f"/api/batches/{ids['batch']}/transitions"
    refused = client.post(f"{url}/file", headers=admin,
                          json={"override": "补报", "filing_number": "BA-1"})
    assert refused.status_code == 409
    body = refused.json()
    assert body["state"] == "draft" and body["detail"].startswith("当前状态 / current state")
    assert body["missing"] == [
        {"code": "room_without_roster", "zh": "有考场没有名册", "en": "a room has no roster"},
        {"code": "plan_filed_late", "zh": "实施计划备案逾期",
         "en": "implementation plan filed late"}]  # the override cannot lift the first
    wrong = client.post(f"{url}/accept", headers=admin).json()
    assert wrong["missing"][0]["code"] == "wrong_state"
    assert client.post(f"{url}/fly", headers=admin).status_code == 422


def test_a_deadline_in_a_year_not_entered_fails_closed(
        client: TestClient, admin: dict[str, str], world: World) -> None:
    ids = plan(client, admin, world)
    client.put(f"/api/session-rooms/{ids['session_room']}/roster", headers=admin | CSV,
               content=ROSTER)
    refused = client.post(f"/api/batches/{ids['batch']}/transitions/file", headers=admin,
                          json={"override": "试一试", "filing_number": "BA-1"})
    assert refused.status_code == 409 and "2099" in refused.json()["detail"]
    batch = client.get(f"/api/batches/{ids['batch']}", headers=admin).json()
    assert batch["state"] == "draft"


def test_reading_follows_scope_and_only_administrators_manage(
        client: TestClient, admin: dict[str, str], world: World) -> None:
    ids = plan(client, admin, world)
    for name, role, sites in (("op", "org_operator", [world.site]), ("sup", "supervisor", [])):
        client.post("/api/users", headers=admin, json={
            "username": name, "password": PASSWORD, "role": role, "site_ids": sites})
    operator, stranger = login(client, "op"), login(client, "sup")
    assert [b["id"] for b in client.get("/api/batches", headers=operator).json()] == [ids["batch"]]
    assert client.get(f"/api/batches/{ids['batch']}", headers=operator).status_code == 200
    assert client.get("/api/batches", headers=stranger).json() == []
    hidden = client.get(f"/api/batches/{ids['batch']}", headers=stranger)
    assert hidden.status_code == 403 and "may not see batch" in hidden.json()["detail"]
    for method, path in (("post", f"/api/batches/{ids['batch']}/transitions/file"),
                         ("post", f"/api/batches/{ids['batch']}/sessions"),
                         ("put", f"/api/session-rooms/{ids['session_room']}/roster")):
        assert client.request(method, path, headers=operator).status_code == 403, path
    client.cookies.clear()  # the logins above left a session cookie
    assert client.get("/api/batches").status_code == 401


@pytest.mark.parametrize(("path", "body"), [
    ("/api/batches", {"organisation_id": 10**30, "occupation_name": "x",
                      "occupation_code": "6-18-01-01", "level": "四级", "mode": "综合评审"}),
    ("/api/batches", {"organisation_id": 1, "occupation_name": "x" * 10_000,
                      "occupation_code": "6-18-01-01", "level": "四级", "mode": "综合评审"}),
    ("/api/batches", {"organisation_id": 1, "occupation_name": "x",
                      "occupation_code": "6-18-01-01", "level": "六级", "mode": "综合评审"}),
    ("/api/batches/1/sessions", {"name": "a", "starts_at": "2026-03-02T09:00:00",
                                 "ends_at": "2026-03-02T11:00:00"}),  # no zone offset
    ("/api/batches/1/sessions", {"name": "a", "starts_at": "99999-03-02T09:00:00+08:00",
                                 "ends_at": "2026-03-02T11:00:00+08:00"}),
    ("/api/sessions/1/rooms", {"room_id": 1, "expected_examinees": float("inf")}),
    ("/api/sessions/1/rooms", {"room_id": 1, "expected_examinees": float("nan")}),
    ("/api/sessions/99999999999999999999999/rooms", {"room_id": 1, "expected_examinees": 1}),
    ("/api/batches/1/transitions/file", {"reason": "x" * 5000}),
    ("/api/batches/1/transitions/file", {"filing_number": "x" * 101}),
])
def test_hostile_input_gets_a_422(client: TestClient, admin: dict[str, str], path: str,
                                  body: dict[str, object]) -> None:
    raw = json.dumps(body)  # Infinity and NaN as JavaScript writes them
    assert client.post(path, headers=admin | JSON, content=raw).status_code == 422


def test_invalid_unicode_is_a_422_and_absurd_windows_a_400(
        client: TestClient, admin: dict[str, str], world: World) -> None:
    ids = plan(client, admin, world)
    raw = (f'{{"organisation_id": {world.organisation}, "occupation_name": "\\ud800", '
           '"occupation_code": "6-18-01-01", "level": "四级", "mode": "综合评审"}')
    response = client.post("/api/batches", headers=admin | JSON,
                           content=raw)
    assert response.status_code == 422 and "\\ud800" in response.text  # echoed escaped
    window = client.post(f"/api/batches/{ids['batch']}/sessions", headers=admin, json={
        "name": "长", "starts_at": "2026-03-02T09:00:00+08:00",
        "ends_at": "2026-03-09T09:00:00+08:00"})
    assert window.status_code == 400 and "at most 1 day" in window.json()["detail"]
