"""``verify-draw``: a stored draw verifies; a changed snapshot, seed, result or commitment
(or a changed audit entry) fails with the reason; the CLI exits 0 / 1 / 2, from the database
and offline from the published data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from support.batches import ADMIN, database
from support.draws import RULES, filed_world
from typer.testing import CliRunner

from proctor.cli.main import app as cli
from proctor.db.models import AuditEntry
from proctor.supervision import draw_service
from proctor.supervision.draw_verify import verify_stored_draw
from proctor.supervision.oversight import Assignment, Draw

OTHER_SEED = "0" * 64


@pytest.fixture
def drawn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Session, Draw]]:
    """A revealed draw of 2 of 4 supervisors, in the database the CLI reads."""
    monkeypatch.setenv("PROCTOR_DATABASE_URL", f"sqlite:///{tmp_path / 'batches.db'}")
    with database(tmp_path) as db:
        filed = filed_world(db)
        draw = draw_service.draw_for_batch(db, ADMIN, filed.batch, 2, RULES)
        db.commit()
        yield db, draw


def _problems(db: Session, draw: Draw) -> str:
    db.commit()
    return " | ".join(verify_stored_draw(db, draw.id).problems)


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["supervision", "verify-draw", *args])
    return result.exit_code, result.output


def test_a_stored_draw_verifies(drawn: tuple[Session, Draw]) -> None:
    db, draw = drawn
    assert _problems(db, draw) == ""
    assert _cli(str(draw.id))[0] == 0


def test_a_changed_snapshot_fails(drawn: tuple[Session, Draw]) -> None:
    db, draw = drawn
    snapshot = json.loads(draw.snapshot)
    snapshot["recusal_window_days"] = 1
    draw.snapshot = json.dumps(snapshot, sort_keys=True, separators=(",", ":"))
    assert "snapshot differs" in _problems(db, draw)
    code, output = _cli(str(draw.id))
    assert code == 1 and "snapshot differs" in output


def test_a_changed_seed_fails(drawn: tuple[Session, Draw]) -> None:
    db, draw = drawn
    draw.seed = OTHER_SEED
    problems = _problems(db, draw)
    assert "seed does not match the published commitment" in problems
    assert "the seed differs from the revealed one" in problems


def test_a_changed_result_fails(drawn: tuple[Session, Draw]) -> None:
    db, draw = drawn
    draw.result = list(reversed(draw.result))
    problems = _problems(db, draw)
    assert "selection differs" in problems and "differs from the revealed one" in problems


def test_a_changed_commitment_fails(drawn: tuple[Session, Draw]) -> None:
    db, draw = drawn
    draw.commitment = "f" * 64
    assert "the result records another commitment" in _problems(db, draw)


def test_a_changed_commitment_in_the_audit_log_fails(drawn: tuple[Session, Draw]) -> None:
    db, draw = drawn
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "draw.commit")).one()
    entry.detail = {**entry.detail, "commitment": "f" * 64}
    problems = _problems(db, draw)
    assert "seed does not match the published commitment" in problems
    assert "the result records another commitment" in problems


def test_assignments_must_match_the_result(drawn: tuple[Session, Draw]) -> None:
    db, draw = drawn
    db.delete(db.scalars(select(Assignment)).first())
    assert "assignments" in _problems(db, draw)


def test_the_cli_verifies_offline_from_published_data(drawn: tuple[Session, Draw],
                                                      tmp_path: Path) -> None:
    _, draw = drawn
    assert draw.seed is not None
    published = tmp_path / "snapshot.json"
    published.write_text(draw.snapshot, encoding="utf-8")
    args = ["--snapshot", str(published), "--snapshot-sha256", draw.snapshot_sha256,
            "--seed", draw.seed,
            "--commitment", draw.commitment, "--result", ",".join(draw.result)]
    assert _cli(*args)[0] == 0
    code, output = _cli(*args[:-1], ",".join(reversed(draw.result)))
    assert code == 1 and "selection differs" in output
    code, output = _cli(*args[:5], OTHER_SEED, *args[6:])
    assert code == 1 and "seed does not match" in output
    published.write_text(draw.snapshot.replace('"active":true', '"active":false', 1))
    code, output = _cli(*args)
    assert code == 1 and "snapshot differs" in output


def test_the_cli_cannot_check_what_is_not_there(drawn: tuple[Session, Draw],
                                                tmp_path: Path) -> None:
    assert _cli("9999")[0] == 2  # no such draw
    assert _cli()[0] == 2  # neither an id nor a snapshot
    assert _cli("--snapshot", str(tmp_path / "missing.json"), "--seed", OTHER_SEED,
                "--snapshot-sha256", "0" * 64,
                "--commitment", "0" * 64, "--result", "1")[0] == 2
    assert _cli("--snapshot", str(tmp_path / "x.json"))[0] == 2  # options missing
