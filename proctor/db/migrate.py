"""Run Alembic migrations programmatically (``proctor db upgrade`` and server start-up)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from proctor.db.session import prepare_sqlite_file

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at the packaged migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_database(database_url: str, revision: str = "head") -> None:
    """Bring the database schema up to ``revision``."""
    if database_url.startswith("sqlite:///"):
        prepare_sqlite_file(database_url)
    command.upgrade(alembic_config(database_url), revision)


def downgrade_database(database_url: str, revision: str) -> None:
    """Take the database schema back to ``revision`` (``base`` empties it)."""
    command.downgrade(alembic_config(database_url), revision)
