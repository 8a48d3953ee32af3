"""``proctor``: run the server, manage the directory, migrate the database (and, in a
development install, demo, benchmark and evaluate)."""

from __future__ import annotations

from typing import Annotated

import typer

from proctor.cli import admin, archive, models, storage
from proctor.cli.analysis_worker import analysis_worker
from proctor.cli.extensions import register_extensions
from proctor.cli.failures import plain_failures
from proctor.cli.supervision import app as supervision_app

app = typer.Typer(help="Remote video invigilation server.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(admin.app, name="admin")
app.add_typer(db_app, name="db")
app.add_typer(storage.app, name="storage")
app.add_typer(archive.app, name="archive")
app.add_typer(models.app, name="models")
app.add_typer(supervision_app, name="supervision")
app.command("analysis-worker")(analysis_worker)
register_extensions(app)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="bind address (PROCTOR_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port (PROCTOR_PORT)")] = None,
) -> None:
    """Run the server (migrates the database first)."""
    import uvicorn

    from proctor.app import check_analysis, check_evidence_key, create_app
    from proctor.cli.http_protocol import with_header_timeout
    from proctor.config import load_settings
    from proctor.errors import ProctorError
    from proctor.logging_setup import configure_logging

    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    settings = load_settings(**overrides)
    configure_logging(settings.log_level, settings.log_format)
    try:
        check_evidence_key(settings)
        check_analysis(settings)
    except (ProctorError, ValueError) as error:
        typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from error
    uvicorn.run(
        create_app(settings), host=settings.host, port=settings.port,
        log_config=None, access_log=False,
        proxy_headers=True, forwarded_allow_ips=settings.forwarded_allow_ips,
        http=with_header_timeout(settings.header_timeout_s),  # h11, slow headers dropped
        h11_max_incomplete_event_size=4 * settings.max_header_bytes,  # 431 below
    )


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply migrations up to REVISION."""
    from proctor.config import load_settings
    from proctor.db.migrate import upgrade_database

    upgrade_database(load_settings().database_url, revision)
    typer.echo(f"database at {revision}")


def main() -> None:
    """Console-script entry point: a missing server install, an unreachable database or
    object store and invalid settings print one line with the fix instead of a traceback."""
    try:
        import fastapi  # noqa: F401
        import sqlalchemy  # noqa: F401
    except ImportError as error:
        typer.secho(
            f"the server is not installed ({error.name} missing): pip install 'proctor[server]'",
            fg=typer.colors.RED, err=True,
        )
        raise SystemExit(2) from error
    with plain_failures():
        app()
