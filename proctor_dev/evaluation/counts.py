"""Person-count evaluation against a labelled image set (``proctor eval counts``).

A label says ``persons`` (clearly visible people) and ``persons_hard`` (people a detector
may fairly miss: tiny, mostly hidden, cut by the frame edge). A count in
``[persons, persons + persons_hard]`` is correct; the error is the distance to that range.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from pydantic import BaseModel, Field, TypeAdapter

from proctor.vision.detector import Detector


class CountLabel(BaseModel):
    """How many people one image shows."""

    file: str
    persons: int = Field(ge=0)
    persons_hard: int = Field(default=0, ge=0)


@dataclass(frozen=True)
class CountResult:
    """One image's count against its label."""

    label: CountLabel
    counted: int

    @property
    def error(self) -> int:
        """Distance from the count to the accepted range (0 when correct)."""
        return abs(self.signed_error)

    @property
    def signed_error(self) -> int:
        """Like :attr:`error`, positive when over-counted, negative when under-counted."""
        low, high = self.label.persons, self.label.persons + self.label.persons_hard
        return max(self.counted - high, 0) - max(low - self.counted, 0)


@dataclass(frozen=True)
class Sighting:
    """One image's person confidences (above the detector's threshold) and its time."""

    label: CountLabel
    confidences: tuple[float, ...]
    seconds: float

    def at(self, confidence: float) -> CountResult:
        """The count had the threshold been CONFIDENCE (at least the detector's own)."""
        return CountResult(self.label, sum(c >= confidence for c in self.confidences))


def load_labels(path: Path) -> list[CountLabel]:
    """The labels file: a JSON list of ``{"file", "persons", "persons_hard"}``."""
    return TypeAdapter(list[CountLabel]).validate_json(path.read_bytes())


def count_people(detector: Detector, images: Path, labels: list[CountLabel]
                 ) -> Iterator[CountResult]:
    """Run the detector on each labelled image and count its ``person`` detections."""
    for label in labels:
        detections = detector.detect([_read(images, label)])[0]
        yield CountResult(label, sum(d.label == "person" for d in detections))


def _read(images: Path, label: CountLabel) -> np.ndarray:
    frame = cv2.imread(str(images / label.file))
    if frame is None:
        raise FileNotFoundError(f"cannot read image {images / label.file} named in the labels")
    return frame


def sight_people(detector: Detector, images: Path, labels: list[CountLabel]
                 ) -> Iterator[Sighting]:
    """Run the detector once on each labelled image, keeping every person's confidence, so
    a confidence sweep needs no second run (the detector's threshold is the sweep's lowest)."""
    for label in labels:
        frame = _read(images, label)
        started = time.perf_counter()
        detections = detector.detect([frame])[0]
        elapsed = time.perf_counter() - started
        yield Sighting(label, tuple(d.confidence for d in detections if d.label == "person"),
                       elapsed)


def directions(results: list[CountResult]) -> dict[str, int]:
    """How many images were over-counted and how many under-counted."""
    return {"over": sum(r.signed_error > 0 for r in results),
            "under": sum(r.signed_error < 0 for r in results)}


def summarise(results: list[CountResult]) -> dict[str, float | int]:
    """Number of images, share counted correctly, and mean absolute error."""
    n = len(results)
    return {"images": n,
            "exact": round(sum(r.error == 0 for r in results) / n, 3) if n else 0.0,
            "mae": round(sum(r.error for r in results) / n, 3) if n else 0.0}
