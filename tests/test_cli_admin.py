"""``proctor admin``: the same rules as the API, readable errors, JSON output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from proctor.cli.main import app


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PROCTOR_DATA_DIR", str(tmp_path))
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(app, list(args), env=env)

    return invoke


def test_directory_from_the_command_line(run) -> None:  # type: ignore[no-untyped-def]
    assert json.loads(run("admin", "site", "add", "Site A", "--json").stdout)["id"] == 1
    assert run("admin", "room", "add", "1", "Room 1").exit_code == 0
    device = json.loads(run("admin", "device", "add", "1", "edge", "--json").stdout)
    assert device["token"].startswith("pdt_1_")
    added = run("admin", "camera", "add", "1", "front", "--device", "1", "--json")
    camera = json.loads(added.stdout)
    assert camera == {"id": 1, "room_id": 1, "device_id": 1, "name": "front"}
    listed = json.loads(run("admin", "device", "list", "--json").stdout)
    assert "token" not in listed[0]
    user = run("admin", "user", "add", "sup", "--role", "supervisor", "--site", "1", "--json",
               env={"PROCTOR_NEW_USER_PASSWORD": "long enough pw"})
    assert json.loads(user.stdout)["role"] == "supervisor"


def test_errors_are_messages_not_tracebacks(run) -> None:  # type: ignore[no-untyped-def]
    result = run("admin", "room", "add", "5", "Room 1")
    assert result.exit_code == 2
    assert "site 5 does not exist" in result.output
    assert "Traceback" not in result.output
    weak = run("admin", "user", "add", "u", "--role", "admin",
               env={"PROCTOR_NEW_USER_PASSWORD": "short"})
    assert weak.exit_code == 2 and "at least 10 characters" in weak.output
