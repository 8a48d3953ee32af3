"""Admin REST endpoints: roles, validation, device enrollment, and per-user camera scope."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from support.console import PASSWORD, app_db, build_site, login


def test_login_sets_http_only_cookie_and_wrong_password_fails(client: TestClient) -> None:
    response = client.post("/api/auth/login", json={"username": "root", "password": PASSWORD})
    cookie = response.headers["set-cookie"]
    assert "proctor_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    me = client.get("/api/auth/me").json()  # the cookie works
    assert me["username"] == "root" and "read_audit_log" in me["permissions"]
    client.post("/api/auth/logout", headers={"Origin": "http://testserver"})  # as a browser does
    assert client.get("/api/auth/me").status_code == 401
    bad = client.post("/api/auth/login", json={"username": "root", "password": "nope"})
    assert bad.status_code == 401 and bad.json()["detail"] == "wrong username or password"


def test_every_api_endpoint_requires_login(client: TestClient) -> None:
    for path in ["/api/sites", "/api/rooms", "/api/devices", "/api/users", "/api/cameras",
                 "/api/cameras/all", "/api/ice-config", "/api/auth/me", "/metrics"]:
        assert client.get(path).status_code == 401, path


def test_device_enrollment_returns_token_once(client: TestClient) -> None:
    admin = login(client, "root")
    ids = build_site(client, admin, "S1")
    devices = client.get("/api/devices", headers=admin).json()
    assert devices[0]["id"] == ids["device"]
    assert "token" not in devices[0] and "token_hash" not in devices[0]
    rotated = client.post(f"/api/devices/{ids['device']}/rotate-token", headers=admin).json()
    assert rotated["token"].startswith(f"pdt_{ids['device']}_")


def test_non_admin_cannot_manage_directory(client: TestClient) -> None:
    admin = login(client, "root")
    ids = build_site(client, admin, "S1")
    client.post("/api/users", headers=admin, json={"username": "sup", "password": PASSWORD,
                                                   "role": "supervisor", "site_ids": [ids["site"]]})
    supervisor = login(client, "sup")
    response = client.post("/api/sites", json={"name": "S2"}, headers=supervisor)
    assert response.status_code == 403
    assert "may not manage directory" in response.json()["detail"]


def test_cameras_are_scoped_to_granted_sites(client: TestClient) -> None:
    admin = login(client, "root")
    one = build_site(client, admin, "S1")
    two = build_site(client, admin, "S2")
    client.post("/api/users", headers=admin, json={"username": "sup", "password": PASSWORD,
                                                   "role": "supervisor", "site_ids": [one["site"]]})
    seen = client.get("/api/cameras", headers=login(client, "sup")).json()
    assert [c["id"] for c in seen] == [one["camera"]]
    assert seen[0]["site"] == "S1" and seen[0]["live"]["online"] is False
    assert {c["id"] for c in client.get("/api/cameras", headers=admin).json()} == {
        one["camera"], two["camera"]}


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        ("/api/rooms", {"site_id": 99, "name": "x"}, 404, "site 99 does not exist"),
        ("/api/sites", {"name": "S1"}, 409, "site 'S1' already exists"),
        ("/api/users", {"username": "u", "password": "short", "role": "supervisor"}, 422, None),
        ("/api/users", {"username": "u1", "password": PASSWORD, "role": "king"}, 422, None),
    ],
)
def test_bad_input_gets_a_clear_error(client: TestClient, path: str, body: dict[str, object],
                                      status: int, message: str | None) -> None:
    admin = login(client, "root")
    client.post("/api/sites", json={"name": "S1"}, headers=admin)
    response = client.post(path, json=body, headers=admin)
    assert response.status_code == status
    if message:
        assert response.json()["detail"] == message


def test_camera_device_must_be_at_the_rooms_site(client: TestClient) -> None:
    admin = login(client, "root")
    one = build_site(client, admin, "S1")
    two = build_site(client, admin, "S2")
    response = client.post("/api/cameras", headers=admin,
                           json={"room_id": one["room"], "name": "x", "device_id": two["device"]})
    assert response.status_code == 400
    assert "belongs to site" in response.json()["detail"]


def test_audit_log_records_directory_changes(client: TestClient) -> None:
    from sqlalchemy import select

    from proctor.db.models import AuditEntry

    admin = login(client, "root")
    build_site(client, admin, "S1")
    with app_db(client) as db:
        actions = db.scalars(select(AuditEntry.action)).all()
    expected = {"auth.login", "site.create", "room.create", "device.enroll", "camera.create"}
    assert expected <= set(actions)



def test_cookie_authenticated_changes_must_come_from_our_own_pages(client: TestClient) -> None:
    client.post("/api/auth/login", json={"username": "root", "password": PASSWORD})
    assert client.get("/api/sites").status_code == 200  # reading is fine
    forged = client.post("/api/sites", json={"name": "X"},
                         headers={"Origin": "http://evil.example"})
    assert forged.status_code == 403 and "cross-origin" in forged.json()["detail"]
    missing = client.post("/api/sites", json={"name": "Y"})
    assert missing.status_code == 403
    ours = client.post("/api/sites", json={"name": "Z"}, headers={"Origin": "http://testserver"})
    assert ours.status_code == 201
