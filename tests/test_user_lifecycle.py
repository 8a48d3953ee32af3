"""A user's life after creation: changing one's own password, an administrator's reset,
deactivation, role and site changes; each ends the sessions it should and is audit-logged;
the last administrator cannot be removed. API and CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from support.console import PASSWORD, app_db, build_site, login
from typer.testing import CliRunner

from proctor.cli.main import app as cli
from proctor.db.models import AuditEntry

NEW_PASSWORD = "another-long-password"


def me(client: TestClient, headers: dict[str, str]) -> int:
    return client.get("/api/auth/me", headers=headers).status_code


def new_supervisor(client: TestClient, admin: dict[str, str], site_ids: list[int]) -> int:
    response = client.post("/api/users", headers=admin, json={
        "username": "sup", "password": PASSWORD, "role": "supervisor", "site_ids": site_ids})
    assert response.status_code == 201, response.text
    return response.json()["id"]  # type: ignore[no-any-return]


def audit_actions(client: TestClient) -> list[str]:
    with app_db(client) as db:
        return list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_changing_ones_own_password_ends_the_other_sessions(client: TestClient) -> None:
    admin = login(client, "root")
    new_supervisor(client, admin, [])
    laptop, phone = login(client, "sup"), login(client, "sup")

    wrong = client.post("/api/auth/password", headers=laptop,
                        json={"current_password": "not-my-password", "new_password": NEW_PASSWORD})
    assert wrong.status_code == 403 and "current password is wrong" in wrong.json()["detail"]
    short = client.post("/api/auth/password", headers=laptop,
                        json={"current_password": PASSWORD, "new_password": "short"})
    assert short.status_code == 422
    changed = client.post("/api/auth/password", headers=laptop,
                          json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert changed.status_code == 204
    assert me(client, laptop) == 200 and me(client, phone) == 401  # only the other one ends
    assert client.post("/api/auth/login", json={"username": "sup", "password": PASSWORD}
                       ).status_code == 401
    login(client, "sup", NEW_PASSWORD)
    assert "user.password_set" in audit_actions(client)


def test_reset_and_deactivation_end_every_session(client: TestClient) -> None:
    admin = login(client, "root")
    sup_id = new_supervisor(client, admin, [])
    sup = login(client, "sup")
    reset = client.post(f"/api/users/{sup_id}/password", headers=admin,
                        json={"password": NEW_PASSWORD})
    assert reset.status_code == 204 and me(client, sup) == 401
    sup = login(client, "sup", NEW_PASSWORD)
    # nobody but an administrator resets passwords or changes users
    assert client.post(f"/api/users/{sup_id}/password", headers=sup,
                       json={"password": "x" * 12}).status_code == 403
    assert client.patch(f"/api/users/{sup_id}", headers=sup,
                        json={"role": "admin"}).status_code == 403

    disabled = client.patch(f"/api/users/{sup_id}", headers=admin, json={"is_active": False})
    assert disabled.status_code == 200 and disabled.json()["is_active"] is False
    assert me(client, sup) == 401
    assert client.post("/api/auth/login", json={"username": "sup", "password": NEW_PASSWORD}
                       ).status_code == 401
    client.patch(f"/api/users/{sup_id}", headers=admin, json={"is_active": True})
    login(client, "sup", NEW_PASSWORD)
    assert client.patch("/api/users/999", headers=admin, json={"is_active": False}
                        ).status_code == 404
    assert client.patch(f"/api/users/{sup_id}", headers=admin, json={"shoe_size": 44}
                        ).status_code == 422


def test_site_changes_move_what_a_user_sees(client: TestClient) -> None:
    admin = login(client, "root")
    first, second = build_site(client, admin, "S1"), build_site(client, admin, "S2")
    sup_id = new_supervisor(client, admin, [first["site"]])
    sup = login(client, "sup")
    assert [c["id"] for c in client.get("/api/cameras", headers=sup).json()] == [first["camera"]]
    moved = client.patch(f"/api/users/{sup_id}", headers=admin,
                         json={"site_ids": [second["site"]], "display_name": "Wang Fang"})
    assert moved.status_code == 200 and moved.json()["display_name"] == "Wang Fang"
    assert [c["id"] for c in client.get("/api/cameras", headers=sup).json()] == [second["camera"]]
    actions = audit_actions(client)
    assert "user.revoke_site" in actions and "user.update" in actions


def test_the_last_administrator_stays(client: TestClient) -> None:
    admin = login(client, "root")
    root_id = client.get("/api/auth/me", headers=admin).json()["id"]
    for change in ({"is_active": False}, {"role": "auditor"}):
        refused = client.patch(f"/api/users/{root_id}", headers=admin, json=change)
        assert refused.status_code == 409 and "last active administrator" in refused.text
    assert me(client, admin) == 200
    second = client.post("/api/users", headers=admin, json={
        "username": "root2", "password": PASSWORD, "role": "admin"}).json()
    assert client.patch(f"/api/users/{root_id}", headers=admin,
                        json={"role": "auditor"}).status_code == 200
    assert client.patch(f"/api/users/{second['id']}", headers=login(client, "root2"),
                        json={"is_active": False}).status_code == 409


def test_users_from_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCTOR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PROCTOR_NEW_USER_PASSWORD", PASSWORD)
    runner = CliRunner()
    assert runner.invoke(cli, ["admin", "user", "add", "sup", "--role", "supervisor"]
                         ).exit_code == 0
    monkeypatch.setenv("PROCTOR_NEW_USER_PASSWORD", "short")
    weak = runner.invoke(cli, ["admin", "user", "set-password", "sup"])
    assert weak.exit_code == 2 and "at least 10 characters" in weak.output
    monkeypatch.setenv("PROCTOR_NEW_USER_PASSWORD", NEW_PASSWORD)
    done = runner.invoke(cli, ["admin", "user", "set-password", "sup"])
    assert done.exit_code == 0 and "sessions have ended" in done.output
    assert runner.invoke(cli, ["admin", "user", "disable", "sup"]).exit_code == 0
    listed = runner.invoke(cli, ["admin", "user", "list", "--json"]).stdout
    assert '"active": false' in listed
    missing = runner.invoke(cli, ["admin", "user", "disable", "nobody"])
    assert missing.exit_code == 2 and "user 'nobody' does not exist" in missing.output
