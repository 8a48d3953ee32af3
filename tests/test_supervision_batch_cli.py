"""``proctor supervision batch ...``: plan, import a roster, show, and transitions whose
refusals are messages naming the state and what is missing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from support.batches import ROSTER, World, build_world, database
from typer.testing import CliRunner, Result

from proctor.cli.main import app

Run = Callable[..., Result]


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setenv("PROCTOR_DATA_DIR", str(tmp_path))
    with database(tmp_path) as db:  # the file the CLI opens: data_dir/proctor.db
        made = build_world(db)
    (tmp_path / "batches.db").rename(tmp_path / "proctor.db")
    return made


@pytest.fixture
def run() -> Run:
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["supervision", "batch", *map(str, args)])


def test_plan_a_batch_from_the_command_line(run: Run, world: World, tmp_path: Path) -> None:
    created = run("create", world.organisation, "车工", "6-18-01-01", "四级", "操作技能考核",
                  "--json")
    assert created.exit_code == 0, created.output
    batch = json.loads(created.stdout)["id"]
    assert run("session-add", batch, "第一场", "2026-03-02T09:00+08:00",
               "2026-03-02T11:00+08:00").exit_code == 0
    assert run("room-add", 1, world.rooms[0], 30).exit_code == 0
    csv = tmp_path / "roster.csv"
    csv.write_bytes(ROSTER)
    imported = run("roster-import", 1, csv)
    assert json.loads(imported.stdout)["candidates"] == 2
    shown = run("show", batch).stdout
    assert "expects 2, 2 listed, 1 examiner(s), 1 invigilator(s)" in shown
    assert run("list", "--state", "draft").stdout.startswith(f"{batch}\tdraft\t车工")
    unnumbered = run("transition", batch, "file")
    assert unnumbered.exit_code == 2 and "--filing-number" in unnumbered.output
    late = run("transition", batch, "file", "--filing-number", "BA-1")  # long after March 2026
    assert late.exit_code == 2 and "plan_filed_late" not in late.output
    assert "当前状态 / current state: 草稿 (draft)" in late.output and "逾期" in late.output
    done = run("transition", batch, "file", "--override", "补报，经中心批准",
               "--filing-number", "BA-1")
    assert done.exit_code == 0 and "now filed" in done.output
    assert "flagged: 实施计划备案逾期 — override: 补报，经中心批准" in run("show", batch).stdout
    wrong = run("attendance", 1, 2, 1)
    assert wrong.exit_code == 2 and "the roster expects 2" in wrong.output
    recorded = run("attendance", 1, 1, 1)
    assert recorded.exit_code == 0 and "1 present, 1 absent of 2 expected" in recorded.output


def test_bad_input_is_a_message(run: Run, world: World, tmp_path: Path) -> None:
    bad_time = run("session-add", 1, "x", "tomorrow", "later")
    assert bad_time.exit_code == 2 and "not an ISO time" in bad_time.output
    absent = run("session-add", 1, "x", "2026-03-02T09:00+08:00", "2026-03-02T10:00+08:00")
    assert absent.exit_code == 2 and "batch 1 does not exist" in absent.output
    unreadable = run("roster-import", 99, tmp_path / "none.csv")
    assert unreadable.exit_code == 2 and "cannot read" in unreadable.output
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (300 * 1024))
    created = run("create", world.organisation, "车工", "6-18-01-01", "四级", "综合评审")
    assert created.exit_code == 0
    run("session-add", 1, "x", "2026-03-02T09:00+08:00", "2026-03-02T10:00+08:00")
    run("room-add", 1, world.rooms[0], 3)
    too_big = run("roster-import", 1, big)
    assert too_big.exit_code == 2 and "the limit is" in too_big.output
