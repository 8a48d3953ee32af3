"""Alembic migrations go up and down, and match the models."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from proctor.db.migrate import downgrade_database, upgrade_database
from proctor.schema import metadata


def test_upgrade_downgrade_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade_database(url)
    engine = create_engine(url)
    assert {"sites", "rooms", "cameras", "devices", "users", "audit_log"} <= set(
        inspect(engine).get_table_names())
    downgrade_database(url, "base")
    assert inspect(engine).get_table_names() == ["alembic_version"]
    upgrade_database(url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"
