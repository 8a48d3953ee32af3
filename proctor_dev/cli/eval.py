"""``proctor eval ...``: measure detectors against labelled data; last line one JSON object."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from proctor.config import REPO_ROOT
from proctor.vision.options import Backend, ConfidenceOpt, ImgszOpt, ModelOpt, ThreadsOpt

app = typer.Typer(help="Evaluate detectors on labelled images.", no_args_is_help=True)


@app.command()
def counts(
    images: Annotated[Path, typer.Option(exists=True, file_okay=False, help="image folder")],
    labels: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="labels.json")],
    backend: Backend = None,
    model: ModelOpt = None,
    imgsz: ImgszOpt = None,
    confidence: ConfidenceOpt = None,
    threads: ThreadsOpt = None,
) -> None:
    """Count people in each image; a count within [persons, persons + persons_hard] is right."""
    from proctor.vision.options import load_detector
    from proctor_dev.evaluation.counts import count_people, load_labels, summarise

    detector = load_detector(backend, model, imgsz, confidence, threads)
    results = []
    for result in count_people(detector, images, load_labels(labels)):
        results.append(result)
        accepted = f"{result.label.persons}..{result.label.persons + result.label.persons_hard}"
        mark = "ok " if result.error == 0 else "BAD"
        typer.echo(f"{mark} {result.label.file:<28} counted {result.counted:>2}  "
                   f"expected {accepted}")
    summary = {**summarise(results), "model": detector.spec.name,
               "backend": detector.type_key, "imgsz": detector.settings.imgsz,
               "confidence": detector.settings.confidence}
    typer.echo(json.dumps(summary))


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
) -> None:
    """Run scenario clips (tamper and people, ground truth by construction) through the real
    analysis; print each clip's events, then per event kind precision, recall and onset delay
    (last line, JSON)."""
    from proctor.config import load_settings
    from proctor.vision.options import load_detector
    from proctor_dev.evaluation import scenarios as sc
    from proctor_dev.samples import raw_sample

    detector = load_detector(backend, model, imgsz, confidence, threads)
    rules = load_settings().analysis_rules
    path = footage or raw_sample(REPO_ROOT / "var" / "media")
    clips = sc.tamper_scenarios(sc.read_footage(path))
    for number in (int(n) for n in base_frames.split(",") if n.strip()):
        base = sc.read_frame(path, number)
        people = [d for d in detector.detect([base])[0] if d.label == "person"]
        for clip in sc.people_scenarios(base, people):
            clip.name = f"{clip.name}@{number}"
            clips.append(clip)
    results = []
    for result in sc.iterate(clips, detector, rules):
        results.append(result)
        missed = [t for t in result.scenario.truths if t not in result.matched]
        mark = "ok " if not missed and not result.false_alarms else "BAD"
        typer.echo(f"{mark} {result.scenario.name:<22} {result.scenario.description}")
        for event in result.events:
            verdict = "false alarm" if event in result.false_alarms else "found"
            typer.echo(f"      {event.kind.value:<17} {event.zone:<12} condition from "
                       f"{event.started_at:>5.0f} s, opened {event.opened_at:>5.0f} s  {verdict}")
        for truth in missed:
            typer.echo(f"      MISSED {truth.kind.value} {truth.zone} "
                       f"{truth.start:.0f}-{truth.end:.0f} s")
    typer.echo(json.dumps({"model": detector.spec.name, "backend": detector.type_key,
                           "imgsz": detector.settings.imgsz, "clips": len(results),
                           "kinds": sc.summarise(results)}))
