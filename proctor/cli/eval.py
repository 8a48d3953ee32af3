"""``proctor eval ...``: measure detectors against labelled data; last line one JSON object."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

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
    from proctor.vision.counts import count_people, load_labels, summarise
    from proctor.vision.options import load_detector

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
