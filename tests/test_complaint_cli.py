"""``proctor supervision complaint ...`` acting as console users (``--as``): a phone complaint
registered, read redacted by the accused organisation's operator, reviewed, investigated,
extended, resolved and closed, with the refusals the API gives (no store needed: clips are
tested through the API with SeaweedFS)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from support.batches import build_world, database, opened
from support.review import user
from typer.testing import CliRunner, Result

from proctor.cli.main import app
from proctor.db.complaints import Complaint
from proctor.db.models import AuditEntry, Role

Run = Callable[..., Result]


@pytest.fixture
def organisation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """An organisation with a site; an officer and an operator granted that site."""
    monkeypatch.setenv("PROCTOR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PROCTOR_S3_ENDPOINT", "")
    with database(tmp_path) as db:
        world = build_world(db)
        user(db, "officer", Role.COMPLAINT_OFFICER, (world.site,))
        user(db, "operator", Role.ORG_OPERATOR, (world.site,))
        user(db, "watcher", Role.SUPERVISOR, (world.site,))
        db.commit()
    (tmp_path / "batches.db").rename(tmp_path / "proctor.db")
    return world.organisation


@pytest.fixture
def run() -> Run:
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["supervision", "complaint", *map(str, args)])


def test_a_phone_complaint_from_the_command_line(run: Run, organisation: int,
                                                 tmp_path: Path) -> None:
    made = run("register", "--as", "officer", "--organisation", organisation, "--text",
               "考场内有人代考", "--name", "王五", "--contact", "0592-1234567")
    assert made.exit_code == 0, made.output
    assert "tracking code (查询码)" in made.output and "王五" in made.output
    with opened(tmp_path / "proctor.db") as db:
        complaint = db.scalars(select(Complaint)).one()
    number = complaint.id
    seen = run("show", number, "--as", "operator", "--json")
    assert seen.exit_code == 0, seen.output
    body = json.loads(seen.stdout)
    assert body["complainant"] is None and "王五" not in seen.stdout
    assert run("list", "--as", "watcher").exit_code == 2  # a supervisor reads no complaints
    refused = run("review", number, "--as", "operator", "--note", "受理")
    assert refused.exit_code == 2 and "handle complaints" in refused.output
    bell = run("review", number, "--as", "officer", "--note", "bell\x07")
    assert bell.exit_code == 2 and "control character" in bell.output

    for step in (["review", number, "--note", "予以受理"],
                 ["investigate", number, "--note", "调取录像"],
                 ["extend", number, "--days", 3, "--reason", "需询问考评员"],
                 ["resolve", number, "--result", "查无实据", "--unsubstantiated"],
                 ["close", number]):
        done = run(*step, "--as", "officer")
        assert done.exit_code == 0, (step, done.output)
    assert "已办结 (closed)" in done.output
    again = run("close", number, "--as", "officer")
    assert again.exit_code == 2 and "closed" in again.output
    listed = json.loads(run("list", "--as", "officer", "--json").stdout)
    assert [(c["id"], c["state"], c["resolution"]) for c in listed] == [
        (number, "closed", "查无实据")]
    with opened(tmp_path / "proctor.db") as db:
        actions = list(db.scalars(select(AuditEntry.action)
                                  .where(AuditEntry.target == f"complaint:{number}")
                                  .order_by(AuditEntry.seq)))
    assert actions == ["complaint.register", "complaint.review", "complaint.investigate",
                       "complaint.extend", "complaint.resolve", "complaint.close"]



@pytest.mark.slow  # the CLI runs in a process, as a user runs it (its failure handler wraps main)
@pytest.mark.parametrize("number", [2**63, 10**30])
def test_a_number_too_large_for_the_database_is_one_line(organisation: int, tmp_path: Path,
                                                         number: int) -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "proctor", "supervision", "complaint", "show", str(number),
         "--as", "officer"], capture_output=True, text=True, timeout=120,
        env={**os.environ, "PROCTOR_DATA_DIR": str(tmp_path), "PROCTOR_S3_ENDPOINT": ""})
    assert shown.returncode == 2, shown.stderr
    assert shown.stderr.startswith("error: a number given is too large"), shown.stderr
    assert "9223372036854775807" in shown.stderr and "Traceback" not in shown.stderr
