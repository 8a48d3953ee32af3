"""``proctor eval ...``: measure detectors against labelled data; last line one JSON object."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from proctor.config import REPO_ROOT
from proctor.vision.options import Backend, ConfidenceOpt, ImgszOpt, ModelOpt, ThreadsOpt

if TYPE_CHECKING:
    from proctor_dev.evaluation import scenarios as sc

app = typer.Typer(help="Evaluate detectors on labelled images.", no_args_is_help=True)


@app.command()
def counts(
    images: Annotated[Path, typer.Option(exists=True, file_okay=False, help="image folder")],
    labels: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="labels.json")],
    backend: Backend = None,
    model: Annotated[list[str] | None, typer.Option(
        help="model name, repeat to compare; default the manifest's")] = None,
    imgsz: Annotated[list[int] | None, typer.Option(
        help="input size (multiple of 32), repeat to compare; default each model's")] = None,
    confidence: ConfidenceOpt = None,
    sweep: Annotated[str | None, typer.Option(
        help="confidences to compare, comma separated, e.g. 0.3,0.4,0.5,0.6")] = None,
    threads: ThreadsOpt = None,
) -> None:
    """Count people in each image with each model and size; a count within
    [persons, persons + persons_hard] is right. Prints each run's per-image counts at its
    threshold, its sweep and errors; the last line (JSON) is the best run and all runs."""
    import tempfile

    from proctor_dev.evaluation.comparison import run
    from proctor_dev.evaluation.counts import load_labels, summarise

    label_list = load_labels(labels)
    thresholds = sorted({float(c) for c in (sweep or "").split(",") if c.strip()})
    lowest = min([*thresholds, *([confidence] if confidence else [])], default=None)
    names: list[str | None] = [*(model or [])] or [None]
    sizes: list[int | None] = [*(imgsz or [])] or [None]
    runs = []
    with tempfile.TemporaryDirectory() as scratch:
        for name in names:
            for size in sizes:
                with _errors(skip=len(names) * len(sizes) > 1):
                    runs.append(run(name, size, backend, lowest, threads, images, label_list,
                                    Path(scratch)))
    if not runs:
        typer.secho("error: no model could run", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    reports = []
    for result in runs:
        at = confidence or result.confidence
        typer.echo(f"== {result.model} ({result.backend}, {result.imgsz} px) "
                   f"{result.ms_per_frame} ms/frame, confidence {at}")
        for counted in result.at(at):
            accepted = (f"{counted.label.persons}.."
                        f"{counted.label.persons + counted.label.persons_hard}")
            mark = "ok " if counted.error == 0 else "BAD"
            typer.echo(f"{mark} {counted.label.file:<28} counted {counted.counted:>2}  "
                       f"expected {accepted}")
        sweep_rows = result.sweep(thresholds or [at])
        for row in sweep_rows:
            typer.echo(f"   at {row['confidence']:.2f}: exact {row['exact']:.3f}  mae "
                       f"{row['mae']:.3f}  over {row['over']}  under {row['under']}")
        summary = summarise(result.at(at))
        reports.append(((summary["exact"], -summary["mae"], -result.ms_per_frame), {
            **summary, "model": result.model, "backend": result.backend,
            "imgsz": result.imgsz, "confidence": at, "ms_per_frame": result.ms_per_frame,
            "sweep": sweep_rows, "errors": result.errors(at)}))
    best = max(reports, key=lambda report: report[0])[1]
    typer.echo(json.dumps({**{k: v for k, v in best.items() if k not in ("sweep", "errors")},
                           "runs": [report for _, report in reports]}))


@contextmanager
def _errors(skip: bool) -> Iterator[None]:
    """A model that cannot be loaded becomes a red message saying what to run: exit code 2,
    or, when comparing (SKIP), a note and the next model."""
    from pydantic import ValidationError

    from proctor.errors import ProctorError

    try:
        yield
    except (ProctorError, ValidationError, RuntimeError) as error:
        typer.secho(f"{'skipped' if skip else 'error'}: {error}", fg=typer.colors.RED,
                    err=True)
        if not skip:
            raise typer.Exit(2) from error


@app.command()
def scenarios(
    footage: Annotated[Path | None, typer.Option(
        help="video to build the clips from; default the sample footage (vtest.avi)")] = None,
    base_frames: Annotated[str, typer.Option(
        help="frames of the footage held still for the people scenarios, comma separated")]
        = "600,0",
    backend: Backend = None,
    model: ModelOpt = None,
    imgsz: ImgszOpt = None,
    confidence: ConfidenceOpt = None,
    threads: ThreadsOpt = None,
    live: Annotated[bool, typer.Option(
        help="through the real live path instead: agent → WHIP → server feed (keyframes "
        "only) → sampler → analysis → events; prints the frames decoded per camera")] = False,
) -> None:
    """Run scenario clips (tamper and people, ground truth by construction) through the real
    analysis, counting people in each sample alone and over the latest samples (the
    default); print each clip's events both ways, then totals and per event kind precision,
    recall and onset delay for each (last line, JSON). With ``--live`` the clips go through
    a real agent and server instead, counted the server's way."""
    from proctor.config import load_settings
    from proctor.vision.options import load_detector
    from proctor_dev.evaluation import scenarios as sc
    from proctor_dev.samples import raw_sample

    path = footage or raw_sample(REPO_ROOT / "var" / "media")
    clips = sc.tamper_scenarios(sc.read_footage(path))
    with _errors(skip=live):  # live, the tamper clips run without a local detector
        detector = load_detector(backend, model, imgsz, confidence, threads)
        for number in (int(n) for n in base_frames.split(",") if n.strip()):
            base = sc.read_frame(path, number)
            people = [d for d in detector.detect([base])[0] if d.label == "person"]
            for clip in sc.people_scenarios(base, people):
                clip.name = f"{clip.name}@{number}"
                clips.append(clip)
    if live:
        _live(clips)
        return
    rules = load_settings().analysis_rules
    results: dict[str, list[sc.ScenarioResult]] = {way: [] for way in sc.COUNTINGS}
    for by_way in sc.iterate(clips, detector, rules):
        for way, result in by_way.items():
            results[way].append(result)
            _print_scenario(way, result)
    typer.echo(json.dumps({"model": detector.spec.name, "backend": detector.type_key,
                           "imgsz": detector.settings.imgsz, "clips": len(clips),
                           "counting": {way: c.model_dump() for way, c in sc.COUNTINGS.items()},
                           "totals": {way: _totals(found) for way, found in results.items()},
                           "kinds": {way: sc.summarise(found)
                                     for way, found in results.items()}}))


def _live(clips: list[sc.Scenario]) -> None:
    """The clips through the live path: the same table and totals, and frames decoded."""
    import asyncio
    import statistics
    import tempfile

    from proctor.logging_setup import configure_logging
    from proctor_dev.evaluation import scenarios as sc
    from proctor_dev.evaluation.live import run_live, unplayable

    configure_logging("WARNING")
    skipped = {clip.name: reason for clip in clips if (reason := unplayable(clip))}
    for name, reason in skipped.items():
        typer.echo(f"--- live         {name:<22} skipped: {reason}")
    playable = [clip for clip in clips if clip.name not in skipped]
    with tempfile.TemporaryDirectory(prefix="proctor-eval-live-") as work:
        run = asyncio.run(run_live(playable, Path(work), log=lambda m: typer.echo(m, err=True)))
    for result in run.results:
        _print_scenario("live", result)
        name = result.scenario.name
        typer.echo(f"      frames decoded {run.frames_decoded[name]} of "
                   f"{run.frames_received[name]} received")
    decoded = statistics.fmean(run.frames_decoded.values())
    received = statistics.fmean(run.frames_received.values())
    typer.echo(f"decoded per camera: {decoded:.0f} of {received:.0f} frames received "
               f"({decoded / received:.1%}); {run.startup_events} startup events set apart")
    typer.echo(json.dumps({"mode": "live", "clips": len(playable), "skipped": skipped,
                           "totals": {"live": _totals(run.results)},
                           "kinds": {"live": sc.summarise(run.results)},
                           "frames_decoded_per_camera": round(decoded, 1),
                           "frames_received_per_camera": round(received, 1),
                           "startup_events": run.startup_events}))


def _print_scenario(way: str, result: sc.ScenarioResult) -> None:
    """One clip's verdict and events, counted one way."""
    missed = [t for t in result.scenario.truths if t not in result.matched]
    mark = "ok " if not missed and not result.false_alarms else "BAD"
    typer.echo(f"{mark} {way:<12} {result.scenario.name:<22} {result.scenario.description}")
    for event in result.events:
        verdict = "false alarm" if event in result.false_alarms else "found"
        typer.echo(f"      {event.kind.value:<17} {event.zone:<12} condition from "
                   f"{event.started_at:>5.0f} s, opened {event.opened_at:>5.0f} s  {verdict}")
    for truth in missed:
        typer.echo(f"      MISSED {truth.kind.value} {truth.zone} "
                   f"{truth.start:.0f}-{truth.end:.0f} s")


def _totals(results: list[sc.ScenarioResult]) -> dict[str, int]:
    """Truths, found, missed and false alarms over every clip."""
    truths = sum(len(r.scenario.truths) for r in results)
    found = sum(len(r.matched) for r in results)
    return {"truths": truths, "found": found, "missed": truths - found,
            "false_alarms": sum(len(r.false_alarms) for r in results)}
