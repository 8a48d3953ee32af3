"""``proctor archive ...``: check and inspect the recorded footage."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select

from proctor.cli.context import cli_actor, database

app = typer.Typer(help="Recorded footage: integrity and coverage.", no_args_is_help=True)


def parse_time(text: str | None) -> int | None:
    """Epoch milliseconds from an ISO 8601 time (with zone) or a number of milliseconds."""
    if text is None:
        return None
    if text.isdigit():
        return int(text)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise typer.BadParameter(f"{text!r} has no time zone; add e.g. +08:00 or Z")
    return int(moment.timestamp() * 1000)


CameraOpt = Annotated[int | None, typer.Option("--camera", help="camera id (default: all)")]
FromOpt = Annotated[str | None, typer.Option("--from", help="ISO time with zone, or epoch ms")]
ToOpt = Annotated[str | None, typer.Option("--to", help="ISO time with zone, or epoch ms")]


@app.command()
def verify(camera: CameraOpt = None, start: FromOpt = None, end: ToOpt = None) -> None:
    """Re-read segments from the store and check every hash and chain link."""
    from proctor.config import load_settings
    from proctor.db.models import Segment
    from proctor.recording.store import ObjectStore
    from proctor.recording.verify import verify_camera

    settings = load_settings()
    store = ObjectStore.from_settings(settings)
    failed = False
    with database(settings) as db:
        cameras = [camera] if camera is not None else list(
            db.scalars(select(Segment.camera_id).distinct().order_by(Segment.camera_id)))
        for camera_id in cameras:
            result = verify_camera(db, store, camera_id, parse_time(start), parse_time(end))
            if result.ok:
                typer.echo(f"camera {camera_id}: OK, {result.segments} segments, "
                           f"{result.bytes_read / 1e6:.1f} MB re-read, chain intact")
            else:
                failed = True
                for problem in result.problems:
                    typer.secho(f"camera {camera_id}: BROKEN: {problem}", fg=typer.colors.RED)
    raise typer.Exit(1 if failed else 0)


@app.command()
def coverage(
    camera: Annotated[int, typer.Option("--camera", help="camera id")],
    start: Annotated[str, typer.Option("--from", help="ISO time with zone, or epoch ms")],
    end: Annotated[str, typer.Option("--to", help="ISO time with zone, or epoch ms")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Recorded intervals and gaps of a camera in a time window."""
    from proctor.db.models import Segment
    from proctor.recording.coverage import coverage as compute

    start_ms, end_ms = parse_time(start), parse_time(end)
    assert start_ms is not None and end_ms is not None
    with database() as db:
        spans = db.execute(select(Segment.start_ms, Segment.end_ms).where(
            Segment.camera_id == camera, Segment.end_ms > start_ms,
            Segment.start_ms < end_ms)).all()
    report = compute([(a, b) for a, b in spans], start_ms, end_ms)
    if as_json:
        typer.echo(json.dumps({"camera_id": camera, "complete": report.complete,
                               "intervals": report.intervals, "gaps": report.gaps}))
        return

    def fmt(ms: int) -> str:
        return datetime.fromtimestamp(ms / 1000).astimezone().isoformat(timespec="seconds")

    typer.echo(f"camera {camera}: {'complete' if report.complete else 'INCOMPLETE'}, "
               f"{report.recorded_ms / 1000:.0f} s of {(end_ms - start_ms) / 1000:.0f} s recorded")
    for gap_start, gap_end in report.gaps:
        seconds = (gap_end - gap_start) / 1000
        typer.echo(f"  gap {fmt(gap_start)} → {fmt(gap_end)} ({seconds:.0f} s)")


@app.command()
def export(
    camera: Annotated[int, typer.Option("--camera", help="camera id")],
    start: Annotated[str, typer.Option("--from", help="ISO time with zone, or epoch ms")],
    end: Annotated[str, typer.Option("--to", help="ISO time with zone, or epoch ms")],
    out: Annotated[Path, typer.Option("--out", help="zip file to write")],
    reason: Annotated[str, typer.Option(help="why (e.g. complaint number); recorded")],
    by: Annotated[str, typer.Option(help="who exports (recorded)")] = "",
) -> None:
    """Write a verifiable evidence package of a camera's window (audited)."""
    from proctor import audit
    from proctor.config import load_settings
    from proctor.db.models import Camera
    from proctor.recording.archive import Archive
    from proctor.recording.evidence import ExportRequest, write_package
    from proctor.recording.signing import EvidenceSigner
    from proctor.recording.store import ObjectStore

    settings = load_settings()
    archive = Archive(ObjectStore.from_settings(settings), settings.clip_cache_dir,
                      settings.clip_cache_bytes)
    start_ms, end_ms = parse_time(start), parse_time(end)
    assert start_ms is not None and end_ms is not None
    exporter = by or str(cli_actor())
    with database(settings) as db:
        signer = EvidenceSigner(settings.evidence_signing_key_path)
        row = db.get(Camera, camera)
        if row is None:
            raise typer.BadParameter(f"camera {camera} does not exist")
        size = write_package(db, archive, ExportRequest(row, start_ms, end_ms, exporter, reason),
                             out, signer)
        audit.record(db, cli_actor(), "archive.export", f"camera:{camera}", from_ms=start_ms,
                     to_ms=end_ms, reason=reason, file=str(out),
                     signing_key=signer.public.fingerprint)
    typer.echo(f"wrote {out} ({size / 1e6:.1f} MB), signed by key {signer.public.fingerprint}")


@app.command("reconcile-holds")
def reconcile_holds() -> None:
    """Set every held range's versions in the store to what the legal holds say (after a
    store outage interrupted placing or lifting a hold; the server also does this hourly)."""
    from datetime import UTC, datetime

    from proctor.config import load_settings
    from proctor.recording.legal_hold import reconcile_recent
    from proctor.recording.store import ObjectStore

    settings = load_settings()
    with database(settings) as db:
        checked = reconcile_recent(db, ObjectStore.from_settings(settings),
                                   changed_since=datetime.min.replace(tzinfo=UTC))
    typer.echo(f"{checked} legal holds reconciled")


@app.command("signing-key")
def signing_key() -> None:
    """Print the fingerprint and public key that evidence packages are signed with (publish
    the fingerprint: verifiers pass it as --key-fingerprint)."""
    from proctor.config import load_settings
    from proctor.recording.signing import EvidenceSigner, SigningKeyError

    try:
        public = EvidenceSigner(load_settings().evidence_signing_key_path).public
    except SigningKeyError as error:
        typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from error
    typer.echo(f"fingerprint {public.fingerprint}\n{public.algorithm} public key "
               f"{public.public_key}")


@app.command("verify-evidence")
def verify_evidence_command(
    package: Path,
    key_fingerprint: Annotated[str | None, typer.Option(
        help="require this signing key (the service prints it: proctor archive signing-key)")
    ] = None,
    any_key: Annotated[bool, typer.Option(
        help="accept any signing key (prints its fingerprint to compare by hand)")] = False,
    allow_unsigned: Annotated[bool, typer.Option(
        help="accept an unsigned format 1 package (integrity only, origin unproven)")] = False,
) -> None:
    """Verify an evidence package offline. Exit 0: intact and signed by the required key
    (or by any key with --any-key); 1: not intact, with the reason; 3: intact, but no key
    was required (a self-consistent forgery signed by anyone would pass that far)."""
    from proctor.recording.evidence_verify import EvidenceInvalid, verify_evidence

    try:
        summary = verify_evidence(package, key_fingerprint, allow_unsigned)
    except (EvidenceInvalid, OSError, KeyError, ValueError) as error:
        typer.secho(f"NOT INTACT: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from error
    if summary.signed_by is None:
        signed = "UNSIGNED (format 1): integrity checked, origin not proven"
    elif key_fingerprint is None:
        signed = f"signed by key {summary.signed_by} (not compared with the service's)"
    else:
        signed = f"signed by the expected key {summary.signed_by}"
    typer.echo(f"intact: {summary.camera}, {summary.segments} segments, "
               f"{summary.from_ms}-{summary.to_ms}, exported by {summary.exported_by} "
               f"at {summary.exported_at}\n{signed}\n"
               f"chain: after {summary.first_prev_hash}\n"
               f"       up to {summary.last_chain_hash}\n"
               "The chain hashes can also be compared with the service's index "
               "(`proctor archive verify` checks the index against the store).")
    if summary.signed_by is not None and key_fingerprint is None and not any_key:
        typer.secho("NO KEY REQUIRED: pass --key-fingerprint with the service's fingerprint "
                    "(proctor archive signing-key), or --any-key to accept this signer",
                    fg=typer.colors.YELLOW, err=True)
        raise typer.Exit(3)


@app.command()
def hold(
    camera: Annotated[int, typer.Option("--camera", help="camera id")],
    start: Annotated[str, typer.Option("--from", help="ISO time with zone, or epoch ms")],
    end: Annotated[str, typer.Option("--to", help="ISO time with zone, or epoch ms")],
    reason: Annotated[str, typer.Option(help="why (e.g. complaint number); recorded")],
) -> None:
    """Place a legal hold on a camera's footage in a time range (audited)."""
    from proctor.config import load_settings
    from proctor.recording.legal_hold import place_hold
    from proctor.recording.store import ObjectStore

    settings = load_settings()
    start_ms, end_ms = parse_time(start), parse_time(end)
    assert start_ms is not None and end_ms is not None
    with database(settings) as db:
        placed, count = place_hold(db, ObjectStore.from_settings(settings), camera, start_ms,
                                   end_ms, reason, cli_actor())
        typer.echo(f"legal hold {placed.id} placed on {count} segments of camera {camera}")


@app.command()
def release(hold_id: int) -> None:
    """Lift a legal hold (footage under another active hold stays held; audited)."""
    from proctor.config import load_settings
    from proctor.db.models import LegalHold
    from proctor.errors import NotFound
    from proctor.recording.legal_hold import lift_hold
    from proctor.recording.store import ObjectStore

    settings = load_settings()
    with database(settings) as db:
        row = db.get(LegalHold, hold_id)
        if row is None:
            raise NotFound(f"legal hold {hold_id} does not exist")
        released = lift_hold(db, ObjectStore.from_settings(settings), row, cli_actor())
        typer.echo(f"legal hold {hold_id} lifted; {released} segments released")
