"""``proctor supervision report ...``: a batch's 督导报告 from the command line: draft, show,
sign, acknowledge and download its signed PDF.

A report is the drawn supervisors' judgement, so every command acts **as a console user**
(``--as NAME``: a supervisor drawn for the batch while their access lasts, an administrator,
or for ``show``/``pdf`` an auditor) with exactly that user's scope, as the API would: the
same refusals, and the audit log names that user. Signing and downloads need the object
store (``PROCTOR_S3_ENDPOINT``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy.orm import Session

from proctor import directory
from proctor.api.report_schemas import ReportPublic
from proctor.auth.scope import Scope, load_scope
from proctor.cli.context import JsonOpt, database
from proctor.config import Settings, load_settings
from proctor.errors import InvalidInput, NotFound
from proctor.recording.store import ObjectStore
from proctor.supervision import report_archive, report_service
from proctor.supervision.assignment_scope import assignment_grants
from proctor.supervision.report.terms import Conclusion, Manner, Side
from proctor.supervision.report_archive import ReportArchive
from proctor.supervision.report_draft import Judgement

app = typer.Typer(help="Supervision reports (督导报告): draft, show, sign, acknowledge, pdf.",
                  no_args_is_help=True)
AsOpt = Annotated[str, typer.Option("--as", help="the console user acting (a drawn "
                                    "supervisor of the batch, or an administrator)")]


@contextmanager
def acting(username: str, settings: Settings | None = None
           ) -> Iterator[tuple[Session, Scope, Settings]]:
    """A database session and the scope of the console user ``username``, as the server
    loads it (assignments included)."""
    settings = settings or load_settings()
    with database(settings) as db:
        user = directory.find_user(db, username)
        if user is None:
            raise NotFound(f"user {username!r} does not exist (see `proctor admin user list`)")
        margin = timedelta(minutes=settings.assignment_access_margin_minutes)
        yield db, load_scope(db, user, sources=(assignment_grants(margin),)), settings


def _archive(settings: Settings) -> ReportArchive:
    store = ObjectStore.from_settings(settings)  # StorageError without one
    store.ensure_bucket(settings.retention_years)
    return ReportArchive.build(store, settings.data_dir, settings.retention_years,
                               settings.report_tsa_url)


def _print(report: ReportPublic, as_json: bool) -> None:
    if as_json:
        typer.echo(report.model_dump_json())
        return
    h = report.content.header
    state = (f"signed by {report.signed_by} at {report.signed_at:%Y-%m-%d %H:%M:%S} UTC, "
             f"PDF SHA-256 {report.pdf_sha256}" if report.signed_at else "draft")
    typer.echo(f"report {report.id}: {report.number} v{report.version} (batch "
               f"{report.batch_id}) — {state}\n"
               f"  备案号 {h.filing_number or '未登记'}; 应考 {h.planned}, 实考 "
               f"{'未登记' if h.present is None else h.present}, 缺考 "
               f"{'未登记' if h.absent is None else h.absent}\n"
               f"  conclusion {report.conclusion.value}; {len(report.content.findings)} "
               "finding(s)")
    if report.acknowledged_at:
        typer.echo(f"  acknowledged by {report.acknowledged_by} at "
                   f"{report.acknowledged_at:%Y-%m-%d %H:%M:%S} UTC")


def _judgement(opinion: str, conclusion: Conclusion, deadline: date | None, side: Side,
               manner: Manner) -> Judgement:
    try:
        return Judgement(opinion=opinion, conclusion=conclusion,
                         rectification_deadline=deadline, side=side, manner=manner)
    except ValidationError as error:
        first = error.errors()[0]
        raise InvalidInput(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from error


@app.command("draft")
def draft(
    batch_id: int, as_user: AsOpt,
    opinion: Annotated[str, typer.Option(help="处理意见")],
    conclusion: Annotated[Conclusion, typer.Option(help="督导结论")],
    deadline: Annotated[str | None, typer.Option(
        help="整改期限 (YYYY-MM-DD), needed for 整改后认可")] = None,
    side: Annotated[Side, typer.Option(help="外督/内督")] = Side.EXTERNAL,
    manner: Annotated[Manner, typer.Option(help="现场/线上/回放")] = Manner.ONLINE,
    as_json: JsonOpt = False,
) -> None:
    """Draft BATCH_ID's report (version 1; checklist 不适用 until edited through the API)."""
    with acting(as_user) as (db, scope, _):
        try:
            day = date.fromisoformat(deadline) if deadline else None
        except ValueError as error:
            raise InvalidInput(f"deadline {deadline!r} is not a date YYYY-MM-DD") from error
        judgement = _judgement(opinion, conclusion, day, side, manner)
        row = report_service.draft_report(db, scope, batch_id, judgement)
        _print(ReportPublic.of(row), as_json)


@app.command("show")
def show(report_id: int, as_user: AsOpt, as_json: JsonOpt = False) -> None:
    """A report version: its header, state and conclusion (``--json``: everything)."""
    with acting(as_user) as (db, scope, _):
        _print(ReportPublic.of(report_service.get_report(db, scope, report_id)), as_json)


@app.command("sign")
def sign(report_id: int, as_user: AsOpt, as_json: JsonOpt = False) -> None:
    """Render, sign and archive the draft under Object Lock; a refusal names every reason."""
    with acting(as_user) as (db, scope, settings):
        row = report_archive.sign_report(db, scope, report_id, _archive(settings),
                                         settings.deadline_rules(),
                                         settings.coverage_gap_tolerance_seconds)
        _print(ReportPublic.of(row), as_json)


@app.command("acknowledge")
def acknowledge(report_id: int, head_name: str, as_user: AsOpt,
                as_json: JsonOpt = False) -> None:
    """Record that HEAD_NAME, the organisation's head, acknowledged the signed version."""
    with acting(as_user) as (db, scope, _):
        row = report_service.acknowledge_report(db, scope, report_id, head_name)
        _print(ReportPublic.of(row), as_json)


@app.command("pdf")
def pdf(report_id: int, as_user: AsOpt,
        out: Annotated[Path, typer.Option(help="where to write the signed PDF")]) -> None:
    """Write the signed PDF, as archived and checked against its SHA-256 (audited)."""
    with acting(as_user) as (db, scope, settings):
        store = ObjectStore.from_settings(settings)
        signed = report_archive.report_pdf(db, scope, report_id, store)
        try:
            out.write_bytes(signed.data)
        except OSError as error:
            raise InvalidInput(f"cannot write {out}: {error.strerror}") from error
        typer.echo(f"wrote {signed.filename} ({len(signed.data)} bytes) to {out}")
