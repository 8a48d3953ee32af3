"""``proctor supervision batch ...``: plan certification batches, import rosters, record
attendance and move batches through their states, as the server's operator (audited as
``cli:<account>``)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from proctor.api.batch_schemas import BatchPublic, BatchSummary, SessionRoomPublic
from proctor.cli.context import cli_actor, database
from proctor.config import load_settings
from proctor.errors import InvalidInput
from proctor.supervision import batches, lifecycle, roster, roster_service
from proctor.supervision.attendance import Attendance, record_attendance
from proctor.supervision.batch_access import BatchFilter, list_batches
from proctor.supervision.report.terms import Level, Mode
from proctor.supervision.states import Action, BatchState

app = typer.Typer(help="Certification batches (认定批次): plan, roster, transitions.",
                  no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON instead of text")]


def _when(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError as error:
        raise InvalidInput(f"{text!r} is not an ISO time such as 2026-03-02T09:00+08:00") \
            from error


def _show(batch: BatchPublic, as_json: bool) -> None:
    if as_json:
        typer.echo(batch.model_dump_json())
        return
    typer.echo(f"batch {batch.id}: {batch.occupation_name} ({batch.occupation_code}) "
               f"{batch.level.value} {batch.mode.value} — {batch.state.value}")
    for session in batch.sessions:
        typer.echo(f"  session {session.id} {session.name}: {session.starts_at:%Y-%m-%d %H:%M}"
                   f"–{session.ends_at:%H:%M} UTC")
        for room in session.rooms:
            typer.echo(f"    session room {room.id} (room {room.room_id}): expects "
                       f"{room.expected_examinees}, {room.candidates} listed, "
                       f"{room.examiners} examiner(s), {room.invigilators} invigilator(s)")
    for flag in batch.flags:
        typer.echo(f"  flagged: {flag.get('zh')} — override: {flag.get('override_reason')}")


@app.command("create")
def create(organisation: int, occupation: str, code: str, level: Level, mode: Mode,
           as_json: JsonOpt = False) -> None:
    """Plan a batch of ORGANISATION for OCCUPATION (name), CODE (6-18-01-01), LEVEL, MODE."""
    with database() as db:
        batch = batches.create_batch(db, cli_actor(), organisation, occupation, code, level,
                                     mode)
        _show(BatchPublic.of(batch), as_json)


@app.command("list")
def list_all(state: BatchState | None = None, organisation: int | None = None,
             as_json: JsonOpt = False) -> None:
    """Every batch, optionally of one STATE or ORGANISATION."""
    with database() as db:
        found = [BatchSummary.model_validate(b) for b in list_batches(
            db, None, BatchFilter(organisation_id=organisation, state=state, limit=10_000))]
        for batch in found:
            typer.echo(batch.model_dump_json() if as_json else
                       f"{batch.id}\t{batch.state.value}\t{batch.occupation_name}\t"
                       f"{batch.level.value}\torganisation {batch.organisation_id}")


@app.command("show")
def show(batch_id: int, as_json: JsonOpt = False) -> None:
    """A batch with its sessions, rooms, roster counts and flags."""
    with database() as db:
        _show(BatchPublic.of(batches.get_batch(db, batch_id)), as_json)


@app.command("session-add")
def session_add(batch_id: int, name: str, starts: str, ends: str) -> None:
    """Add session NAME from STARTS to ENDS (ISO times with an offset) to a draft batch."""
    with database() as db:
        session = batches.add_session(db, cli_actor(), batch_id, name, _when(starts),
                                      _when(ends))
        typer.echo(f"session {session.id} added to batch {batch_id}")


@app.command("room-add")
def room_add(session_id: int, room_id: int, expected: int) -> None:
    """Use ROOM_ID in SESSION_ID, expecting EXPECTED examinees."""
    with database() as db:
        row = batches.add_room(db, cli_actor(), session_id, room_id, expected)
        typer.echo(f"session room {row.id}: room {room_id} in session {session_id}")


@app.command("roster-import")
def roster_import(session_room_id: int, file: Path) -> None:
    """Replace a session room's roster with FILE (CSV 身份,编号,姓名,座位)."""
    with database() as db:
        try:
            with file.open("rb") as stream:
                data = stream.read(roster.MAX_BYTES + 1)  # the parser refuses what is more
        except OSError as error:
            raise InvalidInput(f"cannot read {file}: {error.strerror}") from error
        row = roster_service.import_roster(db, cli_actor(), session_room_id, data)
        typer.echo(SessionRoomPublic.of(row).model_dump_json())


@app.command("attendance")
def attendance(session_room_id: int, present: int, absent: int) -> None:
    """Record PRESENT (实考) and ABSENT (缺考) of a session room after its session."""
    with database() as db:
        row = record_attendance(db, cli_actor(), session_room_id,
                                Attendance(present, absent))
        typer.echo(f"session room {row.id}: {row.present} present, {row.absent} absent of "
                   f"{row.expected_examinees} expected")


@app.command("transition")
def transition(
    batch_id: int, action: Action,
    reason: Annotated[str | None, typer.Option(help="why (audited; needed to reject)")] = None,
    override: Annotated[str | None, typer.Option(
        help="proceed past missed deadlines for this reason (flagged on the batch)")] = None,
    filing_number: Annotated[str | None, typer.Option(
        help="the filing number (备案号) the centre gave: needed to file")] = None,
) -> None:
    """Move a batch on by ACTION; a refusal names the state and everything missing."""
    settings = load_settings()
    with database(settings) as db:
        batch = lifecycle.transition(db, cli_actor(), batch_id, action,
                                     settings.deadline_rules(), reason, override,
                                     gap_tolerance_s=settings.coverage_gap_tolerance_seconds,
                                     filing_number=filing_number)
        typer.echo(f"batch {batch.id} is now {batch.state.value}")
