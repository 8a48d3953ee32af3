"""Helpers shared by CLI commands: settings, a migrated database session, error output."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from proctor.actor import Actor
from proctor.config import Settings, load_settings
from proctor.db.migrate import upgrade_database
from proctor.db.session import create_db_engine, create_session_factory, session_scope
from proctor.errors import ProctorError

JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON instead of text")]


def emit(data: dict[str, object] | list[dict[str, object]], as_json: bool) -> None:
    """Print a record or a list of records: one JSON document, or ``key=value`` lines."""
    if as_json:
        typer.echo(json.dumps(data, default=str, ensure_ascii=False))
        return
    for row in data if isinstance(data, list) else [data]:
        typer.echo("  ".join(f"{k}={v}" for k, v in row.items()))


def cli_actor() -> Actor:
    """Who runs the command: the operating-system account, as the audit log shows it."""
    return Actor.cli(getpass.getuser())


@contextmanager
def database(settings: Settings | None = None) -> Iterator[Session]:
    """A session on the migrated database; domain errors become a clean exit with a message."""
    settings = settings or load_settings()
    upgrade_database(settings.database_url)
    engine = create_db_engine(settings.database_url)
    try:
        with session_scope(create_session_factory(engine)) as session:
            yield session
    except ProctorError as error:
        typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from error
    finally:
        engine.dispose()
