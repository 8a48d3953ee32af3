"""Nodes starting together on one PostgreSQL run Alembic one at a time (an advisory lock)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from support.postgres import postgres_cluster
from support.wait import wait_until_sync

from proctor.db.migrate import MIGRATION_LOCK_KEY, alembic_config, migration_lock

UPGRADE = ("import sys; from proctor.db.migrate import upgrade_database; "
           "upgrade_database(sys.argv[1])")


def _waiting_for_lock(url: str) -> int:
    """How many sessions wait for the migration lock (not granted yet)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                "AND ((classid::bigint << 32) | objid::bigint) = :key"),
                {"key": MIGRATION_LOCK_KEY}).scalar_one())
    finally:
        engine.dispose()


def test_two_processes_upgrading_a_fresh_postgresql_at_once_both_succeed() -> None:
    with postgres_cluster() as url:
        with migration_lock(url):  # hold the lock until both upgrades wait for it together
            upgrades = [subprocess.Popen([sys.executable, "-c", UPGRADE, url],
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                         text=True) for _ in range(2)]
            both_waited = wait_until_sync(lambda: _waiting_for_lock(url) == 2, timeout=120,
                                          interval=0.2)
        outputs = [upgrade.communicate(timeout=300)[0] for upgrade in upgrades]
        assert both_waited, f"the upgrades did not wait for the migration lock: {outputs}"
        assert [upgrade.returncode for upgrade in upgrades] == [0, 0], outputs
        head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
        engine = create_engine(url)
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        engine.dispose()
        assert versions == [(head,)]
        assert _waiting_for_lock(url) == 0


def test_sqlite_takes_no_lock(tmp_path: Path) -> None:
    with migration_lock(f"sqlite:///{tmp_path / 'x.db'}"):
        assert not (tmp_path / "x.db").exists()  # not even a connection was opened
