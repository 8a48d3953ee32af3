"""``proctor admin audit verify`` and ``proctor admin audit head``: check the audit log's
hash chain, and print its head for an operator to note outside the system."""

from __future__ import annotations

from typing import Annotated

import typer

from proctor import audit
from proctor.audit_chain import ChainHead
from proctor.cli.context import database

CHAIN_BROKEN = 1  # exit status of `verify` when the chain does not hold


def _noted_head(text: str | None) -> ChainHead | None:
    if text is None:
        return None
    try:
        return ChainHead.parse(text)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error


def verify(
    head: Annotated[str | None, typer.Option(
        help="a head noted earlier (SEQ:HASH from `proctor admin audit head`): it must "
             "still be in the chain")] = None,
) -> None:
    """Check every entry's hash and link; exit 1 naming the first bad entry."""
    noted = _noted_head(head)
    with database() as db:
        problems = audit.verify_chain(db, noted)
        current = audit.chain_head(db)
    if problems:
        typer.secho(f"audit chain broken at {problems[0]}", fg=typer.colors.RED, err=True)
        for problem in problems[1:]:
            typer.echo(f"  also {problem}", err=True)
        raise typer.Exit(CHAIN_BROKEN)
    typer.echo(f"audit chain holds: {current.seq} entries, head {current}")


def head() -> None:
    """Print the chain head as SEQ:HASH. Note it outside the system (e.g. in the batch
    file): with it, `verify --head` also finds removed newest entries or a recomputed
    chain."""
    with database() as db:
        typer.echo(str(audit.chain_head(db)))
