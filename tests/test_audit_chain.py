"""The audit log is a hash chain: a changed, removed or inserted entry is found (by
``verify_chain`` and by ``proctor admin audit verify``), concurrent writers make one chain
on SQLite and PostgreSQL, and the migration chains the entries that existed before it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine, select, text
from support.postgres import postgres_cluster
from typer.testing import CliRunner

from proctor import audit
from proctor.actor import Actor
from proctor.api.schemas import AuditEntryPublic
from proctor.audit_chain import GENESIS, ProblemKind, entry_hash
from proctor.cli.main import app as cli
from proctor.db.migrate import upgrade_database
from proctor.db.models import AuditEntry
from proctor.db.session import create_db_engine, create_session_factory, session_scope

ACTOR = Actor.system("test")


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The CLI's SQLite database with five chained entries (seq 1–5)."""
    monkeypatch.setenv("PROCTOR_DATA_DIR", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'proctor.db'}"
    upgrade_database(url)
    engine = create_db_engine(url)
    with session_scope(create_session_factory(engine)) as db:
        for n in range(1, 6):
            audit.record(db, ACTOR, "test.step", f"step:{n}", n=n, note=f"第{n}步")
    yield engine
    engine.dispose()


def _problems(engine: Engine) -> list[tuple[ProblemKind, int]]:
    with session_scope(create_session_factory(engine)) as db:
        return [(p.kind, p.seq) for p in audit.verify_chain(db)]


def _cli_verify(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["admin", "audit", "verify", *args])
    return result.exit_code, result.output


def _tamper(engine: Engine, *statements: str) -> None:
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def test_an_intact_chain_verifies_and_entries_link(engine: Engine) -> None:
    with session_scope(create_session_factory(engine)) as db:
        entries = list(db.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
        public = AuditEntryPublic.model_validate(entries[1])
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.chain_hash for a, b in zip(entries, entries[1:], strict=False))
    assert entries[4].actor == "system:test" and entries[4].detail == {"n": 5, "note": "第5步"}
    assert (public.prev_hash, public.chain_hash) == (entries[0].chain_hash, entries[1].chain_hash)
    assert _problems(engine) == []
    status, output = _cli_verify()
    assert status == 0 and f"head 5:{entries[4].chain_hash}" in output


@pytest.mark.parametrize(("statement", "found"), [
    ("UPDATE audit_log SET detail = '{\"n\": 9, \"note\": \"第3步\"}' WHERE seq = 3",
     [(ProblemKind.ALTERED, 3)]),
    ("UPDATE audit_log SET actor = 'system:other' WHERE seq = 2", [(ProblemKind.ALTERED, 2)]),
    ("UPDATE audit_log SET at = '2020-01-01 00:00:00.000000' WHERE seq = 4",
     [(ProblemKind.ALTERED, 4)]),
    ("DELETE FROM audit_log WHERE seq = 2", [(ProblemKind.SEQUENCE, 3), (ProblemKind.LINK, 3)]),
    ("DELETE FROM audit_log WHERE seq = 1", [(ProblemKind.SEQUENCE, 2), (ProblemKind.LINK, 2)]),
])
def test_a_changed_or_removed_entry_is_found(engine: Engine, statement: str,
                                             found: list[tuple[ProblemKind, int]]) -> None:
    _tamper(engine, statement)
    assert _problems(engine) == found
    status, output = _cli_verify()
    assert status == 1 and f"audit chain broken at entry {found[0][1]}" in output


def test_an_inserted_entry_is_found_even_with_a_correct_hash(engine: Engine) -> None:
    """The forger renumbers the later entries, inserts a well-formed entry 3 and relinks the
    old entry 3 to it: every renumbered entry's hash no longer matches its fields."""
    with session_scope(create_session_factory(engine)) as db:
        second = db.scalars(select(AuditEntry).where(AuditEntry.seq == 2)).one()
        forged = AuditEntry(seq=3, at=datetime.now(UTC), actor="user:1", action="test.forged",
                            target="", detail={}, prev_hash=second.chain_hash)
        forged.chain_hash = entry_hash(forged)
    _tamper(engine, "UPDATE audit_log SET seq = -seq WHERE seq > 2",
            "UPDATE audit_log SET seq = 1 - seq WHERE seq < 0",
            f"UPDATE audit_log SET prev_hash = '{forged.chain_hash}' WHERE seq = 4")
    with session_scope(create_session_factory(engine)) as db:
        db.add(forged)
    assert _problems(engine) == [(ProblemKind.ALTERED, seq) for seq in (4, 5, 6)]
    assert _cli_verify()[0] == 1


def test_an_entry_appended_outside_the_chain_is_found(engine: Engine) -> None:
    _tamper(engine, "INSERT INTO audit_log (seq, at, actor, action, target, detail, prev_hash, "
                    f"chain_hash) VALUES (6, '2026-01-01 00:00:00.000000', 'user:1', 'x', '', "
                    f"'{{}}', '{'1' * 64}', '{'2' * 64}')")
    assert _problems(engine) == [(ProblemKind.LINK, 6), (ProblemKind.ALTERED, 6)]


def test_removed_newest_entries_are_found_only_against_a_noted_head(engine: Engine) -> None:
    noted = CliRunner().invoke(cli, ["admin", "audit", "head"]).stdout.strip()
    assert noted.startswith("5:") and len(noted) == 2 + 64
    _tamper(engine, "DELETE FROM audit_log WHERE seq >= 4")
    assert _cli_verify()[0] == 0  # what the chain alone cannot show (docs/audit.md)
    status, output = _cli_verify("--head", noted)
    assert status == 1 and "entry 5: the noted head" in output
    assert _cli_verify("--head", "5:nothex")[0] == 2  # a bad head is a usage error


def _write_concurrently(engine: Engine, writers: int = 4, rounds: int = 8) -> None:
    """``writers`` threads, each with its own sessions, record ``rounds`` transactions of
    two entries each, all starting together."""
    factory, start, errors = create_session_factory(engine), threading.Barrier(writers), []

    def write(worker: int) -> None:
        start.wait()
        try:
            for n in range(rounds):
                with session_scope(factory) as db:
                    audit.record(db, Actor.system(f"writer-{worker}"), "test.write", n=n)
                    audit.record(db, Actor.system(f"writer-{worker}"), "test.write", n=-n)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def _assert_one_chain(engine: Engine, entries: int) -> None:
    with session_scope(create_session_factory(engine)) as db:
        assert audit.verify_chain(db) == []
        assert audit.chain_head(db).seq == entries
        written = list(db.execute(select(AuditEntry.actor, AuditEntry.detail)
                                  .where(AuditEntry.action == "test.write")
                                  .order_by(AuditEntry.seq)))
    # each transaction's two entries are adjacent: writers never interleave inside one
    assert all((a.actor, a.detail["n"]) == (b.actor, -b.detail["n"])
               for a, b in zip(written[::2], written[1::2], strict=True))


def test_concurrent_writers_make_one_chain_on_sqlite(engine: Engine) -> None:
    _write_concurrently(engine)
    _assert_one_chain(engine, 5 + 4 * 8 * 2)


OLD_AUDIT_LOG = sa.table("audit_log", sa.column("at", sa.DateTime(timezone=True)),
                         sa.column("actor"), sa.column("action"), sa.column("target"),
                         sa.column("detail", sa.JSON()))


def _check_migration_chains_existing_rows(url: str) -> Engine:
    upgrade_database(url, "0005_working_calendar")
    engine = create_db_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.insert(OLD_AUDIT_LOG), [
            {"at": datetime(2026, 11, n, 8, 30, 0, 123456, tzinfo=UTC), "actor": actor,
             "action": "test.before", "target": f"site:{n}", "detail": {"n": n, "名": "旧"}}
            for n, actor in ((1, "cli:root"), (2, "user:sam"), (3, "demo"))])
    upgrade_database(url)
    with session_scope(create_session_factory(engine)) as db:
        assert [e.actor for e in db.scalars(select(AuditEntry).order_by(AuditEntry.seq))] == [
            "cli:root", "user:sam", "demo"]  # kept as written: a legal record is not rewritten
        audit.record(db, ACTOR, "test.after")
    with session_scope(create_session_factory(engine)) as db:
        assert audit.verify_chain(db) == [] and audit.chain_head(db).seq == 4
    return engine


def test_the_migration_chains_entries_that_existed_before_it(tmp_path: Path) -> None:
    _check_migration_chains_existing_rows(f"sqlite:///{tmp_path / 'm.db'}").dispose()


def test_postgresql_migration_and_concurrent_writers() -> None:
    with postgres_cluster() as url:
        engine = _check_migration_chains_existing_rows(url)
        _write_concurrently(engine)
        _assert_one_chain(engine, 4 + 4 * 8 * 2)
        engine.dispose()
