"""Run Alembic migrations programmatically (``proctor db upgrade`` and server start-up).

Several nodes starting together on one PostgreSQL database must not run Alembic at once
(both would create the same tables and one would fail half-way): on PostgreSQL the
migrations run under a session-level advisory lock, so the second node waits, then finds the
schema at head and does nothing. SQLite is one node's own file: no lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from proctor.db.session import prepare_sqlite_file

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK_KEY = 0x70726F63746F72  # "proctor": the pg_advisory_lock key of migrations


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at the packaged migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


@contextmanager
def migration_lock(database_url: str) -> Iterator[None]:
    """Hold PostgreSQL's advisory lock :data:`MIGRATION_LOCK_KEY` for the block (waiting
    for another node that holds it); nothing on other databases. The lock is a session
    lock on its own connection, so it is freed even when this process dies."""
    if not database_url.startswith("postgresql"):
        yield
        return
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"),
                               {"key": MIGRATION_LOCK_KEY})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"),
                                   {"key": MIGRATION_LOCK_KEY})
                connection.commit()
    finally:
        engine.dispose()


def upgrade_database(database_url: str, revision: str = "head") -> None:
    """Bring the database schema up to ``revision`` (one node at a time on PostgreSQL)."""
    if database_url.startswith("sqlite:///"):
        prepare_sqlite_file(database_url)
    with migration_lock(database_url):
        command.upgrade(alembic_config(database_url), revision)


def downgrade_database(database_url: str, revision: str) -> None:
    """Take the database schema back to ``revision`` (``base`` empties it)."""
    with migration_lock(database_url):
        command.downgrade(alembic_config(database_url), revision)
