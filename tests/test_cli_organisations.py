"""``proctor admin region|org`` and ``user grant-region``: the service's rules and messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from proctor.cli.main import app


def test_regions_organisations_and_grants_from_the_command_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCTOR_DATA_DIR", str(tmp_path))
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(app, ["admin", *args],
                             env={"PROCTOR_NEW_USER_PASSWORD": "a-long-password"})

    assert run("region", "add", "350000", "福建省").exit_code == 0
    assert run("region", "add", "350200", "厦门市", "--level", "city").exit_code == 0
    refused = run("region", "add", "350203", "思明区", "--parent", "350100")
    assert refused.exit_code == 2
    assert "must be 350200 (its code's prefix), not 350100" in refused.output
    assert run("region", "add", "350203", "思明区").exit_code == 0
    city = run("org", "add", "某企业", "--kind", "enterprise", "--region", "350200")
    assert city.exit_code == 2 and "belongs to a district" in city.output
    org = json.loads(run("org", "add", "厦门技师学院", "--kind", "college", "--region", "350203",
                         "--json").stdout)
    assert org["region"] == "350203" and org["kind"] == "college"
    assert [r["code"] for r in json.loads(run("region", "list", "--json").stdout)] == [
        "350000", "350200", "350203"]
    assert json.loads(run("org", "list", "--json").stdout) == [org]
    assert run("user", "add", "sup", "--role", "supervisor").exit_code == 0
    granted = run("user", "grant-region", "sup", "350200")
    assert granted.exit_code == 0 and "every site in 350200 (厦门市)" in granted.output
    assert "user 'nobody' does not exist" in run("user", "grant-region", "nobody", "350200").output
