"""Detector options shared by ``proctor eval counts`` and ``proctor bench detect``."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from proctor.vision.detector import Detector

Backend = Annotated[Literal["ultralytics-pt", "onnx", "openvino"] | None, typer.Option(
    help="detector backend; default the product default (docs/vision.md)")]
ModelOpt = Annotated[str | None, typer.Option(help="model name; default the manifest's")]
ImgszOpt = Annotated[int | None, typer.Option(help="input size in pixels (multiple of 32)")]
ConfidenceOpt = Annotated[float | None, typer.Option(help="minimum detection confidence")]
ThreadsOpt = Annotated[int | None, typer.Option(min=1, help="CPU threads; default all cores")]


def load_detector(backend: str | None, model: str | None, imgsz: int | None,
                  confidence: float | None, threads: int | None) -> Detector:
    """The configured detector, or a red message saying what to run and exit code 2."""
    from pydantic import ValidationError

    from proctor.errors import ProctorError
    from proctor.vision.detectors import create_detector, detector_config

    try:
        config = detector_config(type=backend, model=model, imgsz=imgsz,
                                 confidence=confidence, threads=threads)
        return create_detector(config)
    except (ProctorError, ValidationError, RuntimeError) as error:
        typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from error
