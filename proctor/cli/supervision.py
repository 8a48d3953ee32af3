"""``proctor supervision ...``: certification batch supervision; ``calendar`` keeps the
working-day calendar that batch deadlines are counted in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from proctor.cli.batches import app as batch_app
from proctor.cli.complaints import app as complaint_app
from proctor.cli.context import cli_actor, database
from proctor.cli.draws import verify_draw_command
from proctor.cli.reports import app as report_app
from proctor.cli.signer import app as signer_app
from proctor.cli.supervision_report import verify_report_command
from proctor.errors import InvalidInput
from proctor.supervision.calendar_service import enter_year, show_year
from proctor.supervision.year_entry import SEED_PATH, read_days_csv

app = typer.Typer(help="Certification batch supervision.", no_args_is_help=True)
calendar_app = typer.Typer(
    help="Working days: holidays and make-up workdays (调休) from the State Council notices.",
    no_args_is_help=True)
app.add_typer(calendar_app, name="calendar")
app.add_typer(batch_app, name="batch")
app.add_typer(report_app, name="report")
app.add_typer(signer_app, name="signer")
app.add_typer(complaint_app, name="complaint")
app.command("verify-report")(verify_report_command)
app.command("verify-draw")(verify_draw_command)

JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON instead of text")]


@calendar_app.command("show")
def calendar_show(year: int, as_json: JsonOpt = False) -> None:
    """Show an entered YEAR: its notice, who entered it, its holidays and make-up workdays."""
    with database() as db:
        view = show_year(db, year)
        days = [{"date": d.day.isoformat(), "kind": d.kind.value, "name": d.name}
                for d in view.days]
        if as_json:
            typer.echo(json.dumps({"year": year, "source_notice": view.year.source_notice,
                                   "entered_by": view.year.entered_by,
                                   "entered_at": view.year.entered_at.isoformat(),
                                   "days": days}, ensure_ascii=False))
            return
        typer.echo(f"{year}: {view.year.source_notice}")
        stamp = f"{view.year.entered_at:%Y-%m-%d %H:%M}"
        typer.echo(f"entered by {view.year.entered_by} at {stamp} UTC")
        for day in view.days:
            typer.echo(f"{day.day}  {day.day:%a}  {day.kind.value:<15} {day.name}")


@calendar_app.command("add-year")
def calendar_add_year(
    year: int,
    file: Annotated[Path, typer.Option("--file", help="CSV with header date,kind,name; kind "
                                       "is holiday (放假) or makeup_workday (上班)")],
    notice: Annotated[str, typer.Option("--notice", help="the State Council notice: title, "
                                        "number and date")],
) -> None:
    """Enter YEAR from its State Council notice (once; audited)."""
    with database() as db:
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise InvalidInput(f"cannot read {file}: {error}; give a UTF-8 CSV file") from error
        row = enter_year(db, cli_actor(), year, read_days_csv(text), notice)
        typer.echo(f"entered {row.year}: {row.source_notice}")


@calendar_app.command("export-seed")
def calendar_export_seed(
    out: Annotated[Path, typer.Option(help="where to write the seed file")] = SEED_PATH,
) -> None:
    """Regenerate the checked-in calendar seed from the chinesecalendar package (dev only)."""
    from proctor.supervision.seed_export import export_seed

    try:
        entries = export_seed(out)
    except InvalidInput as error:
        typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from error
    typer.echo(f"wrote {len(entries)} years ({entries[0].year}-{entries[-1].year}) to {out}")
