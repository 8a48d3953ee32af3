"""Reading the audit log: auditors and administrators only, filtered by who, what, on what
and when, newest first, paged; the same from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from support.console import PASSWORD, build_site, login
from typer.testing import CliRunner

from proctor.cli.main import app as cli


def test_auditors_read_and_filter_the_log_others_may_not(client: TestClient) -> None:
    admin = login(client, "root")
    ids = build_site(client, admin, "S1")
    for name, role in (("audrey", "auditor"), ("sam", "supervisor")):
        client.post("/api/users", headers=admin, json={
            "username": name, "password": PASSWORD, "role": role, "site_ids": [ids["site"]]})
    client.post("/api/auth/login", json={"username": "sam", "password": "wrong password"})
    auditor = login(client, "audrey")

    everything = client.get("/api/audit", headers=auditor).json()
    assert [e["id"] for e in everything] == sorted((e["id"] for e in everything), reverse=True)
    assert all(newer["prev_hash"] == older["chain_hash"] and newer["seq"] == older["seq"] + 1
               for newer, older in zip(everything, everything[1:], strict=False))
    actions = {e["action"] for e in everything}
    assert {"site.create", "camera.create", "user.create", "auth.login_failed"} <= actions

    failed = client.get("/api/audit", headers=auditor, params={"action": "auth.login_f"}).json()
    assert [(e["actor"], e["target"]) for e in failed] == [("login:sam", "address:testclient")]
    on_camera = client.get("/api/audit", headers=auditor,
                           params={"target": f"camera:{ids['camera']}"}).json()
    assert [e["action"] for e in on_camera] == ["camera.create"]
    assert client.get("/api/audit", headers=auditor,
                      params={"since": "2999-01-01T00:00:00"}).json() == []

    first_page = client.get("/api/audit", headers=auditor, params={"limit": 3}).json()
    second_page = client.get("/api/audit", headers=auditor,
                             params={"limit": 3, "before_id": first_page[-1]["id"]}).json()
    assert [e["id"] for e in first_page + second_page] == [e["id"] for e in everything[:6]]

    refused = client.get("/api/audit", headers=login(client, "sam"))
    assert refused.status_code == 403 and "may not read audit log" in refused.json()["detail"]
    client.cookies.clear()  # the test client kept the last login's cookie
    assert client.get("/api/audit").status_code == 401


def test_audit_log_from_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCTOR_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    runner.invoke(cli, ["admin", "site", "add", "A"])
    runner.invoke(cli, ["admin", "room", "add", "1", "R"])
    result = runner.invoke(cli, ["admin", "audit", "--action", "room.", "--json"])
    assert result.exit_code == 0, result.output
    entries = json.loads(result.stdout)
    assert [e["action"] for e in entries] == ["room.create"]
    assert entries[0]["actor"].startswith("cli:")
