"""The detector interface: batched frames in, labelled normalised boxes out.

Backends (``proctor.vision.backends``) each define a ``DETECTOR_KEY``, a config class with
``type: Literal[DETECTOR_KEY]`` and a :class:`Detector` subclass with ``type_key``; the
configs form a discriminated union in :mod:`proctor.vision.detectors`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from proctor.vision.manifest import Label, ModelFormat, ModelSpec
from proctor.vision.runtime import cpu_threads


@dataclass(frozen=True, slots=True)
class Detection:
    """One object: our label, the model's confidence, box as (x1, y1, x2, y2) in 0..1."""

    label: Label
    confidence: float
    box: tuple[float, float, float, float]


def as_box(values: Iterable[float]) -> tuple[float, float, float, float]:
    """A :attr:`Detection.box` from four numbers (a list, a numpy row)."""
    x1, y1, x2, y2 = map(float, values)
    return x1, y1, x2, y2


class DetectorSettings(BaseModel):
    """Settings every backend shares."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = Field(default=None, description="model name; default the manifest's")
    imgsz: int = Field(default=640, ge=32, multiple_of=32, description="input size, pixels")
    confidence: float = Field(default=0.4, gt=0, lt=1, description="minimum confidence")
    iou: float = Field(default=0.5, gt=0, lt=1, description="NMS overlap threshold")
    threads: int | None = Field(default=None, ge=1, description="CPU threads; default all")


class Detector(ABC):
    """A loaded model. Frames are BGR ``uint8`` arrays (H, W, 3), any size."""

    type_key: ClassVar[str]
    model_format: ClassVar[ModelFormat]

    def __init__(self, settings: DetectorSettings, spec: ModelSpec, weights: Path) -> None:
        self.settings = settings
        self.spec = spec
        self.weights = weights
        self.threads = cpu_threads(settings.threads)

    @abstractmethod
    def detect(self, frames: list[np.ndarray]) -> list[list[Detection]]:
        """Detections for each frame, in order; only classes in the model's class map."""
