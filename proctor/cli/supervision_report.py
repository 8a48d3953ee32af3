"""``proctor supervision verify-report``: check a signed 督导报告 offline (no server)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def verify_report_command(
    file: Annotated[Path, typer.Argument(help="the signed report (PDF)")],
    cert_fingerprint: Annotated[str | None, typer.Option(
        help="require the signing certificate with this SHA-256 (hex)")] = None,
) -> None:
    """Verify a signed supervision report offline. Exit 0: genuine (signature intact over
    the whole file, and by the required certificate if one is given); 1: altered or not
    signed, with every reason; 2: the file cannot be read."""
    from proctor.supervision.report.verify import MAX_REPORT_BYTES, verify_report

    try:
        with file.open("rb") as source:
            data = source.read(MAX_REPORT_BYTES + 1)
    except OSError as error:
        typer.secho(f"error: cannot read {file}: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from error
    result = verify_report(data, cert_fingerprint)
    if not result.ok:
        for reason in result.reasons:
            typer.secho(f"NOT GENUINE: {reason}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    signed_at = result.signed_at.isoformat() if result.signed_at else "unknown time"
    typer.echo(f"genuine: signature intact over the whole file, signed {signed_at}\n"
               f"signer: {result.signer}\ncertificate SHA-256: {result.fingerprint}")
    stamp = result.timestamp
    typer.echo("timestamp: none (signed without a timestamp authority)" if stamp is None
               else f"timestamp: {stamp.at.isoformat()} (RFC 3161) by {stamp.authority}\n"
                    f"timestamp authority certificate SHA-256: {stamp.fingerprint}")
    if cert_fingerprint is None:
        typer.secho("no certificate required: compare the fingerprint above with the "
                    "service's, or pass --cert-fingerprint", fg=typer.colors.YELLOW, err=True)
