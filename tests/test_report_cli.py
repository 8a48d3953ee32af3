"""``proctor supervision report ...`` with a real SeaweedFS: draft, show, a refused signature
naming what is missing, attendance, sign, acknowledge, the PDF written and verified, all
acting as the drawn supervisor (``--as``); an unknown user or another user is refused."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select, update
from support.batches import build_world, database, opened
from support.review import END, START, add_segments, drawn_for_both_rooms, ms, user
from typer.testing import CliRunner, Result

from proctor.cli.main import app
from proctor.db.models import AuditEntry, Role
from proctor.supervision.records import Batch, SessionRoom
from proctor.supervision.states import BatchState
from proctor_dev.seaweed import EmbeddedSeaweedFS

Run = Callable[..., Result]
_buckets = itertools.count()


@pytest.fixture
def batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seaweed: EmbeddedSeaweedFS) -> int:
    """An ended, filed batch drawn for ``sup``, fully recorded, in data_dir/proctor.db."""
    for name, value in (("DATA_DIR", str(tmp_path)), ("S3_ENDPOINT", seaweed.endpoint),
                        ("S3_ACCESS_KEY", seaweed.access_key),
                        ("S3_SECRET_KEY", seaweed.secret_key),
                        ("S3_BUCKET", f"reports-cli-{next(_buckets)}")):
        monkeypatch.setenv(f"PROCTOR_{name}", value)
    with database(tmp_path) as db:
        world = build_world(db)
        user(db, "other", Role.SUPERVISOR)
        batch_id = drawn_for_both_rooms(db, world, user(db, "sup", Role.SUPERVISOR).id)
        db.execute(update(Batch).where(Batch.id == batch_id).values(
            state=BatchState.ENDED, filing_number="BA-350203-2026-0042"))
        for camera in world.cameras:
            add_segments(db, camera, ms(START), ms(END))
        db.commit()
    (tmp_path / "batches.db").rename(tmp_path / "proctor.db")
    return batch_id


@pytest.fixture
def run() -> Run:
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["supervision", *map(str, args)])


def _room_ids(tmp_path: Path) -> list[int]:
    with opened(tmp_path / "proctor.db") as db:
        return list(db.scalars(select(SessionRoom.id).order_by(SessionRoom.id)))


def test_a_report_from_the_command_line(run: Run, batch: int, tmp_path: Path) -> None:
    drafted = run("report", "draft", batch, "--as", "sup", "--opinion", "考场秩序良好。",
                  "--conclusion", "合格", "--json")
    assert drafted.exit_code == 0, drafted.output
    report = json.loads(drafted.stdout)["id"]
    shown = run("report", "show", report, "--as", "sup").stdout
    assert "备案号 BA-350203-2026-0042" in shown and "实考 未登记" in shown and "draft" in shown
    refused = run("report", "sign", report, "--as", "sup")
    assert refused.exit_code == 2 and "未登记实考/缺考人数" in refused.output
    for room in _room_ids(tmp_path):
        assert run("batch", "attendance", room, 0, 0).exit_code == 0  # the world expects 0
    signed = run("report", "sign", report, "--as", "sup")
    assert signed.exit_code == 0, signed.output
    assert "signed by user:" in signed.stdout
    acknowledged = run("report", "acknowledge", report, "王建国", "--as", "sup")
    assert "acknowledged by 王建国" in acknowledged.stdout
    out = tmp_path / "report.pdf"
    written = run("report", "pdf", report, "--as", "sup", "--out", out)
    assert written.exit_code == 0 and out.read_bytes().startswith(b"%PDF")
    assert run("verify-report", out).exit_code == 0
    with opened(tmp_path / "proctor.db") as db:
        actions = list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
    assert actions[-4:] == ["batch.transition", "report.sign", "report.acknowledge",
                            "report.download"]


def test_the_acting_user_is_checked(run: Run, batch: int) -> None:
    nobody = run("report", "draft", batch, "--as", "ghost", "--opinion", "x",
                 "--conclusion", "合格")
    assert nobody.exit_code == 2 and "user 'ghost' does not exist" in nobody.output
    other = run("report", "draft", batch, "--as", "other", "--opinion", "x",
                "--conclusion", "合格")
    assert other.exit_code == 2 and "may not" in other.output
    bad = run("report", "draft", batch, "--as", "sup", "--opinion", "x",
              "--conclusion", "合格", "--deadline", "soon")
    assert bad.exit_code == 2 and "not a date" in bad.output
