"""``proctor supervision verify-draw``: recompute a 双随机 draw, from the database or offline
from its published data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from proctor.supervision.selection import Verification

MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024
OFFLINE = "--snapshot FILE with --snapshot-sha256, --seed, --commitment and --result"

DrawId = Annotated[int | None, typer.Argument(
    help="the draw's id (reads the database); leave out with --snapshot", min=1)]
SnapshotOpt = Annotated[Path | None, typer.Option(
    "--snapshot", help="offline: the published snapshot file (canonical JSON)")]
SeedOpt = Annotated[str | None, typer.Option("--seed", help="offline: the revealed seed")]
CommitmentOpt = Annotated[str | None, typer.Option(
    "--commitment", help="offline: the commitment published before the draw")]
ResultOpt = Annotated[str | None, typer.Option(
    "--result", help="offline: the published selection, ids in draw order: a,b,c")]
HashOpt = Annotated[str | None, typer.Option(
    "--snapshot-sha256", help="offline: the published SHA-256 of the snapshot")]


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(2)


def _offline(snapshot: Path, snapshot_sha256: str | None, seed: str | None,
             commitment: str | None, result: str | None) -> Verification:
    from proctor.supervision.published_draw import verify_published

    if snapshot_sha256 is None or seed is None or commitment is None or result is None:
        raise _fail(f"offline verification needs {OFFLINE}")
    try:
        with snapshot.open("rb") as source:
            data = source.read(MAX_SNAPSHOT_BYTES + 1)
    except OSError as error:
        raise _fail(f"cannot read {snapshot}: {error}") from error
    selected = tuple(part.strip() for part in result.split(",") if part.strip())
    return verify_published(data, snapshot_sha256.strip().lower(), seed.strip(),
                            commitment.strip().lower(), selected)


def _stored(draw_id: int) -> Verification:
    from proctor.cli.context import database
    from proctor.supervision.draw_verify import verify_stored_draw

    with database() as db:
        return verify_stored_draw(db, draw_id)


def verify_draw_command(draw_id: DrawId = None, snapshot: SnapshotOpt = None,
                        seed: SeedOpt = None, commitment: CommitmentOpt = None,
                        result: ResultOpt = None, snapshot_sha256: HashOpt = None) -> None:
    """Recompute a draw from its snapshot and seed and check the commitment. Exit 0: the
    draw holds; 1: it does not, with every reason; 2: it cannot be checked (no such draw,
    unreadable file, missing option)."""
    usage = f"give a draw ID, or {OFFLINE}"
    if snapshot is not None and draw_id is None:
        verification = _offline(snapshot, snapshot_sha256, seed, commitment, result)
    elif draw_id is not None and snapshot is None:
        verification = _stored(draw_id)
    else:
        raise _fail(usage)
    if not verification.ok:
        for problem in verification.problems:
            typer.secho(f"FAILED: {problem}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    typer.echo("ok: the seed matches the commitment and the snapshot gives the recorded "
               "result")
