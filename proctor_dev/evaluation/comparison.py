"""Several models and input sizes on one labelled set in one run (``proctor eval counts``):
per run a confidence sweep, time per frame, and which images were over- or under-counted.

Each model and size runs once at the sweep's lowest threshold; higher thresholds are counted
from the kept confidences. A NanoDet size other than the pulled one is resized on the fly
from the kept tf2onnx output (``proctor.vision.conversion``) into a scratch folder.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

from proctor.vision.conversion import converted_path, fix_input
from proctor.vision.detector import Detector
from proctor.vision.detectors import (
    BACKENDS,
    DetectorConfig,
    create_detector,
    detector_config,
)
from proctor.vision.manifest import Catalog, file_sha256
from proctor_dev.evaluation.counts import (
    CountLabel,
    CountResult,
    Sighting,
    directions,
    sight_people,
    summarise,
)


@dataclass(frozen=True)
class Run:
    """One model at one input size: what it saw in each image."""

    model: str
    backend: str
    imgsz: int
    confidence: float  # the model's own threshold (its manifest value or the config default)
    sightings: list[Sighting]

    def at(self, confidence: float) -> list[CountResult]:
        """Every image's count at a threshold."""
        return [s.at(confidence) for s in self.sightings]

    def sweep(self, confidences: list[float]) -> list[dict[str, float | int]]:
        """Exact share, mean error, images over and under, per threshold."""
        return [{"confidence": c, **summarise(r), **directions(r)}
                for c in confidences for r in [self.at(c)]]

    @property
    def ms_per_frame(self) -> float:
        """Median detection time per image (first image left out: warm-up)."""
        times = [s.seconds for s in self.sightings[1:]] or [s.seconds for s in self.sightings]
        return round(statistics.median(times) * 1000, 1)

    def errors(self, confidence: float) -> dict[str, int]:
        """Images counted wrong at a threshold: + over, - under, by how many."""
        return {r.label.file: r.signed_error for r in self.at(confidence) if r.error}


def run(model: str | None, imgsz: int | None, backend: str | None, lowest: float | None,
        threads: int | None, images: Path, labels: list[CountLabel], scratch: Path) -> Run:
    """Detect people in every image with one model at one size."""
    own = detector_config(type=backend, model=model, imgsz=imgsz, threads=threads)
    detector = sized_detector(own.model_copy(update={"confidence": lowest or own.confidence}),
                              scratch)
    return Run(detector.spec.name, detector.type_key, detector.settings.imgsz, own.confidence,
               list(sight_people(detector, images, labels)))


def sized_detector(config: DetectorConfig, scratch: Path) -> Detector:
    """The configured detector; a NanoDet at another width is made from tf2onnx's output
    (4:3 input, height rounded down to a multiple of 32)."""
    catalog = Catalog()
    spec = catalog.find(config.model, BACKENDS[config.type].model_format)
    if spec.arch != "nanodet" or spec.imgsz == config.imgsz or spec.conversion is None:
        return create_detector(config, catalog)
    height = config.imgsz * 3 // 4 // 32 * 32
    path = scratch / f"{spec.name}-{config.imgsz}x{height}.onnx"
    fix_input(converted_path(catalog, spec), height, config.imgsz, path)
    sized = spec.model_copy(update={
        "imgsz": config.imgsz, "sha256": file_sha256(path),
        "conversion": spec.conversion.model_copy(update={"height": height})})
    return BACKENDS[config.type](config, sized, path)
