"""``proctor supervision complaint ...``: complaints (投诉举报) from the command line: list,
show, register (phone, letter, visit), review, investigate, attach-clip, extend, resolve,
close.

Every command acts **as a console user** (``--as NAME``: a complaint officer or an
administrator; ``list``/``show`` also an operator or auditor) with exactly that user's
scope, as the API would: the same refusals (recusal included), the same redaction of the
complainant, and the audit log names that user. ``attach-clip`` needs the object store
(``PROCTOR_S3_ENDPOINT``): the footage is held at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, TypeVar

import typer
from pydantic import BaseModel, ValidationError

from proctor.api.complaint_schemas import (
    ClipCreate,
    ComplaintBody,
    ComplaintDetailBody,
    ExtensionCreate,
    InvestigateRequest,
    ResolutionCreate,
    ReviewRequest,
)
from proctor.cli.context import JsonOpt
from proctor.cli.reports import AsOpt, acting
from proctor.complaints import handling, registration, views
from proctor.complaints.form import ComplaintForm
from proctor.complaints.views import ComplaintFilter
from proctor.db.base import utcnow
from proctor.db.complaints import ComplaintChannel, ComplaintState
from proctor.recording.store import ObjectStore
from proctor.supervision.calendar_service import load_calendar

app = typer.Typer(help="Complaints (投诉举报): list, show, register, review, investigate, "
                  "attach-clip, extend, resolve, close.", no_args_is_help=True)
IdArg = Annotated[int, typer.Argument(min=1, help="the complaint's number")]
M = TypeVar("M", bound=BaseModel)


def _valid(model: type[M], **fields: object) -> M:
    """The options checked as the API checks its body (hostile text refused)."""
    try:
        return model.model_validate(fields)
    except ValidationError as error:
        raise typer.BadParameter(str(error)) from error


def _line(body: ComplaintBody) -> str:
    who = ("（已隐去）" if body.complainant is None
           else body.complainant.name or "匿名") + (f" {body.complainant.contact}"
                                                   if body.complainant else "")
    flag = f" [{body.flag.value}]" if body.flag else ""
    return (f"complaint {body.id}: {body.state_label} ({body.state.value}){flag} — "
            f"organisation {body.organisation_id}, batch {body.batch_id or '-'}, "
            f"{body.channel.value}, by {who}; first review due {body.first_review_due or '?'}, "
            f"resolution due {body.resolution_due or '-'}\n  {body.text}")


def _print(body: ComplaintBody, as_json: bool) -> None:
    typer.echo(body.model_dump_json() if as_json else _line(body))


def _show(username: str, complaint_id: int, as_json: bool) -> None:
    with acting(username) as (db, scope, _settings):
        detail = views.show_complaint(db, scope, load_calendar(db), complaint_id, utcnow())
        body = ComplaintDetailBody.of_detail(detail)
    _print(body, as_json)
    if not as_json:
        for clip in body.clips:
            span = f"{clip.starts_at:%Y-%m-%d %H:%M:%S}..{clip.ends_at:%H:%M:%S}"
            typer.echo(f"  clip {clip.id}: camera {clip.camera_id} {span} UTC, legal hold "
                       f"{clip.legal_hold_id}")
        for extension in body.extensions:
            typer.echo(f"  extended {extension.working_days} working day(s) to "
                       f"{extension.new_due}: {extension.reason}")


@app.command("list")
def list_command(username: AsOpt, state: ComplaintState | None = None,
                 batch: Annotated[int | None, typer.Option(min=1)] = None,
                 open_only: Annotated[bool, typer.Option("--open")] = False,
                 as_json: JsonOpt = False) -> None:
    """The complaints in the user's scope, newest first, with their deadline flags."""
    with acting(username) as (db, scope, _settings):
        rows = views.list_complaints(db, scope, load_calendar(db),
                                     ComplaintFilter(state, batch, None, open_only), utcnow())
        bodies = [ComplaintBody.of(v) for v in rows]
    if as_json:
        typer.echo("[" + ",".join(b.model_dump_json() for b in bodies) + "]")
    for body in [] if as_json else bodies:
        typer.echo(_line(body))


@app.command("show")
def show_command(complaint_id: IdArg, username: AsOpt, as_json: JsonOpt = False) -> None:
    """One complaint with its clips and extensions."""
    _show(username, complaint_id, as_json)


@app.command("register")
def register_command(
        username: AsOpt, text: Annotated[str, typer.Option(help="what happened")],
        channel: Annotated[ComplaintChannel, typer.Option()] = ComplaintChannel.PHONE,
        organisation: Annotated[int | None, typer.Option(min=1)] = None,
        batch: Annotated[int | None, typer.Option(min=1)] = None,
        room: Annotated[int | None, typer.Option(min=1)] = None, seat: str = "",
        candidate: str = "", name: Annotated[str, typer.Option(
            help="the complainant; leave out for anonymous")] = "",
        contact: str = "", incident_from: Annotated[datetime | None, typer.Option(
            "--from", formats=["%Y-%m-%dT%H:%M:%S%z"])] = None,
        incident_to: Annotated[datetime | None, typer.Option(
            "--to", formats=["%Y-%m-%dT%H:%M:%S%z"])] = None,
        as_json: JsonOpt = False) -> None:
    """Register a complaint made by phone, letter or visit; prints its tracking code."""
    form = _valid(ComplaintForm, organisation_id=organisation, batch_id=batch, room_id=room,
                  seat=seat, candidate=candidate, incident_from=incident_from,
                  incident_to=incident_to, text=text, complainant_name=name,
                  complainant_contact=contact)
    with acting(username) as (db, scope, settings):
        complaint = registration.register_by_officer(
            db, scope, load_calendar(db), settings.complaint_deadlines(), form, channel,
            utcnow())
        code, complaint_id = complaint.tracking_code, complaint.id
    if not as_json:
        typer.echo(f"registered complaint {complaint_id}; tracking code (查询码) {code}")
    _show(username, complaint_id, as_json)


@app.command("review")
def review_command(complaint_id: IdArg, username: AsOpt,
                   note: Annotated[str, typer.Option(help="the review's note (the result "
                                                     "when not accepted)")],
                   accept: Annotated[bool, typer.Option("--accept/--reject")] = True) -> None:
    """The first review (初审): accept for handling, or not."""
    body = _valid(ReviewRequest, accepted=accept, note=note)
    with acting(username) as (db, scope, settings):
        handling.review(db, scope, load_calendar(db), settings.complaint_deadlines(),
                        complaint_id, body.accepted, body.note, utcnow())
    _show(username, complaint_id, False)


@app.command("investigate")
def investigate_command(complaint_id: IdArg, username: AsOpt, note: str = "") -> None:
    """Start the investigation."""
    body = _valid(InvestigateRequest, note=note)
    with acting(username) as (db, scope, _settings):
        handling.investigate(db, scope, complaint_id, body.note)
    _show(username, complaint_id, False)


@app.command("attach-clip")
def attach_clip_command(
        complaint_id: IdArg, username: AsOpt,
        camera: Annotated[int, typer.Option(min=1)],
        start: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%dT%H:%M:%S%z"])],
        end: Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%dT%H:%M:%S%z"])],
        note: str = "") -> None:
    """Attach footage (times with their offset, e.g. 2026-03-02T09:10:00+08:00); it is
    held (legal hold) at once."""
    body = _valid(ClipCreate, camera_id=camera, starts_at=start, ends_at=end, note=note)
    with acting(username) as (db, scope, settings):
        store = ObjectStore.from_settings(settings)
        clip = handling.attach_clip(db, store, scope, complaint_id, handling.ClipRequest(
            body.camera_id, body.starts_at, body.ends_at, body.note))
        typer.echo(f"clip {clip.id} attached; legal hold {clip.legal_hold_id} placed")


@app.command("extend")
def extend_command(complaint_id: IdArg, username: AsOpt,
                   days: Annotated[int, typer.Option(min=1, max=60)],
                   reason: Annotated[str, typer.Option()]) -> None:
    """Move the resolution deadline on by some working days, with the reason."""
    body = _valid(ExtensionCreate, working_days=days, reason=reason)
    with acting(username) as (db, scope, _settings):
        row = handling.extend(db, scope, load_calendar(db), complaint_id, body.working_days,
                              body.reason)
        typer.echo(f"resolution now due {row.new_due} (was {row.previous_due})")


@app.command("resolve")
def resolve_command(
        complaint_id: IdArg, username: AsOpt,
        result: Annotated[str, typer.Option(help="the result told the complainant")],
        substantiated: Annotated[bool, typer.Option("--substantiated/--unsubstantiated")],
        amended_report: Annotated[bool, typer.Option(
            help="the batch's 督导报告 must be amended before its results are filed")] = False
) -> None:
    """Give the result (处理结果)."""
    body = _valid(ResolutionCreate, result=result, substantiated=substantiated,
                  requires_amended_report=amended_report)
    with acting(username) as (db, scope, _settings):
        handling.resolve(db, scope, complaint_id, handling.Resolution(
            body.result, body.substantiated, body.requires_amended_report), utcnow())
    _show(username, complaint_id, False)


@app.command("close")
def close_command(complaint_id: IdArg, username: AsOpt) -> None:
    """Close and archive the complaint (办结)."""
    with acting(username) as (db, scope, _settings):
        handling.close(db, scope, complaint_id, utcnow())
    _show(username, complaint_id, False)
