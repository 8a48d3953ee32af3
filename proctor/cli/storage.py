"""``proctor storage ...``: prepare and verify the object store."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from proctor.recording.store import ObjectStore

app = typer.Typer(help="Object store (S3 with Object Lock).", no_args_is_help=True)


def _store(admin: bool = False) -> ObjectStore:
    from proctor.config import load_settings
    from proctor.recording.store import ObjectStore, StorageError

    try:
        return ObjectStore.from_settings(load_settings(), admin=admin)
    except StorageError as error:
        typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from error


@app.command()
def init() -> None:
    """Create the footage bucket with Object Lock and versioning (safe to re-run).

    Uses the admin key (PROCTOR_S3_ADMIN_ACCESS_KEY) when set, and then denies the server's
    runtime identity deletes and bucket changes by bucket policy."""
    from proctor.config import load_settings
    from proctor.recording.store import StorageError

    settings = load_settings()
    store = _store(admin=True)
    runtime = settings.s3_runtime_identity if settings.s3_admin_configured else ""
    try:
        created = store.ensure_bucket(settings.retention_years, runtime)
    except StorageError as error:
        typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from error
    state = "created" if created else "already there"
    typer.echo(f"bucket {store.bucket}: {state}, Object Lock on")


@app.command()
def check() -> None:
    """Prove the store enforces COMPLIANCE retention (leaves a 1-day probe object)."""
    from proctor.recording.selfcheck import check_object_lock

    store = _store()
    store.ensure_bucket()
    results = check_object_lock(store)
    for result in results:
        colour = typer.colors.GREEN if result.passed else typer.colors.RED
        typer.secho(f"{'PASS' if result.passed else 'FAIL'}  {result.name}: {result.detail}",
                    fg=colour)
    if not all(r.passed for r in results):
        typer.secho("this store cannot hold evidence: choose one that enforces Object Lock",
                    fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
