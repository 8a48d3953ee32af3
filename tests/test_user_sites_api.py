"""The users API lists each user's site grants, as created and as replaced by a PATCH (the
console's users page shows and edits them from there)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from support.console import PASSWORD, build_site, login


def test_users_carry_their_site_grants_through_create_list_and_patch(
        client: TestClient) -> None:
    admin = login(client, "root")
    north, south = (build_site(client, admin, name)["site"] for name in ("North", "South"))
    created = client.post("/api/users", headers=admin, json={
        "username": "sam", "password": PASSWORD, "role": "supervisor", "site_ids": [south, north]})
    assert created.status_code == 201 and created.json()["site_ids"] == sorted([north, south])
    sam = created.json()["id"]
    listed = {user["username"]: user for user in client.get("/api/users", headers=admin).json()}
    assert listed["sam"]["site_ids"] == sorted([north, south]) and listed["root"]["site_ids"] == []
    patched = client.patch(f"/api/users/{sam}", headers=admin, json={"site_ids": [south]})
    assert patched.status_code == 200 and patched.json()["site_ids"] == [south]
    again = client.get("/api/users", headers=admin).json()
    assert next(user for user in again if user["id"] == sam)["site_ids"] == [south]
    missing = client.patch(f"/api/users/{sam}", headers=admin, json={"site_ids": [999]})
    assert missing.status_code == 404 and "999" in missing.json()["detail"]
