"""``proctor supervision signer ...``: the certificate that signs 督导报告.

``import`` checks an operator's PKCS#12 (or PEM) file and stores it where the report signer
reads it (:mod:`proctor.supervision.report.signer_import`); the server reads it when it
starts. ``show`` prints the certificate in use. The passphrase is read from a file (never
from the command line, where other users could see it) and is never printed or logged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from proctor import audit
from proctor.cli.context import JsonOpt, cli_actor, database, emit
from proctor.config import load_settings
from proctor.errors import InvalidInput
from proctor.supervision.report.identity import (
    IDENTITY_FILE,
    SigningIdentityError,
    service_identity,
)
from proctor.supervision.report.signer_import import describe, import_signer

app = typer.Typer(help="The report-signing certificate: import an operator's own, show it.",
                  no_args_is_help=True)
IMPORTED = "report.signer_import"


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InvalidInput(f"cannot read the {what} {path}: {error.strerror}") from error


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="PKCS#12 (.p12/.pfx) or PEM: the key and its "
                                         "certificate (and chain)")],
    passphrase_file: Annotated[Path | None, typer.Option(
        "--passphrase-file", help="a file holding the passphrase (one line)")] = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help="retire the certificate in use (kept beside it) for this one")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Check FILE (key matches certificate, valid now, key usage allows signing) and make
    it the report-signing identity (mode 0600); audited. Restart the server to use it."""
    settings = load_settings()
    with database(settings) as db:
        data = _read(file, "certificate file")
        passphrase = (_read(passphrase_file, "passphrase file").rstrip(b"\r\n")
                      if passphrase_file else None)
        imported = import_signer(settings.data_dir, data, passphrase or None, str(file),
                                 replace=replace)
        shown = describe(imported.identity, imported.path)
        audit.record(db, cli_actor(), IMPORTED, f"signer:{imported.identity.fingerprint}",
                     subject=shown["subject"], not_after=shown["not_after"],
                     replaced=imported.retired_fingerprint)
    if imported.retired is not None:
        shown["retired"] = str(imported.retired)
        shown["retired_fingerprint"] = imported.retired_fingerprint
    emit(shown, as_json)
    if not as_json:
        typer.echo("restart the server to sign with it")


@app.command("show")
def show_command(as_json: JsonOpt = False) -> None:
    """The report-signing certificate in use: fingerprint, subject, issuer, validity, key
    type (never the key)."""
    settings = load_settings()
    try:
        identity = service_identity(settings.data_dir)
    except SigningIdentityError as error:
        typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from error
    emit(describe(identity, settings.data_dir / IDENTITY_FILE), as_json)
