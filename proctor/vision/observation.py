"""What an edge agent that detects on its own frames sends the server: one
:class:`Observation` per sample (its time, the picture's tamper statistics, the boxes found).
Both sides use these models: the agent builds them (:meth:`Observation.of`), the server
validates them and feeds each to the camera's monitor as the same kind of sample its own
analysis makes (:meth:`proctor.vision.analyzer.Analyzer.observe_edge`), so the same rules,
events and alerts follow.

Numpy and pydantic only: the agent imports this without the server's packages.
"""

from __future__ import annotations

import base64
import binascii
import math
from typing import Annotated

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator

from proctor.vision.detector import Detection
from proctor.vision.manifest import Label
from proctor.vision.tamper import THUMB_H, THUMB_W, FrameStats

MAX_BOXES = 300  # more than any exam room holds
# per request: with a full thumbnail (33 kB) and MAX_BOXES boxes (~25 kB) each, 15 stay
# under the server's JSON body cap (PROCTOR_MAX_JSON_BODY_BYTES, 1 MiB)
MAX_OBSERVATIONS = 15
THUMB_DTYPE = np.dtype("<f2")  # the thumbnail travels as little-endian float16
THUMB_CHARS = 4 * math.ceil(THUMB_H * THUMB_W * THUMB_DTYPE.itemsize / 3)


class ObservedBox(BaseModel):
    """One object the agent's detector found: label, confidence, box in 0..1."""

    model_config = ConfigDict(extra="forbid")

    label: Label
    confidence: float = Field(ge=0, le=1)
    # a plain 4-item array in the OpenAPI document, not prefixItems (misread by OpenAPI tools)
    box: Annotated[tuple[float, float, float, float], WithJsonSchema({
        "type": "array", "items": {"type": "number", "minimum": 0, "maximum": 1},
        "minItems": 4, "maxItems": 4,
        "description": "x1, y1, x2, y2 as shares of width and height, x1 <= x2, y1 <= y2"})]

    @field_validator("box")
    @classmethod
    def _normalised(cls, box: tuple[float, float, float, float]
                    ) -> tuple[float, float, float, float]:
        x1, y1, x2, y2 = box
        if not all(0.0 <= v <= 1.0 for v in box) or x1 > x2 or y1 > y2:
            raise ValueError(f"box {list(box)} must be x1 <= x2, y1 <= y2, each between 0 "
                             "and 1 (shares of the picture's width and height)")
        return box


class PictureStats(BaseModel):
    """The tamper statistics of the sampled picture (:func:`proctor.vision.tamper.frame_stats`)."""

    model_config = ConfigDict(extra="forbid")

    brightness: float = Field(ge=0, le=255, allow_inf_nan=False)
    contrast: float = Field(ge=0, le=255, allow_inf_nan=False)
    sharpness: float = Field(ge=0, allow_inf_nan=False)
    thumbnail: str = Field(min_length=THUMB_CHARS, max_length=THUMB_CHARS,
                           description=f"{THUMB_W}x{THUMB_H} luma, little-endian float16, "
                                       "base64")

    @field_validator("thumbnail")
    @classmethod
    def _decodable(cls, thumbnail: str) -> str:
        try:
            raw = base64.b64decode(thumbnail, validate=True)
        except binascii.Error as error:
            raise ValueError("thumbnail is not base64") from error
        values = np.frombuffer(raw, THUMB_DTYPE)
        if values.size != THUMB_W * THUMB_H or not np.isfinite(values).all():
            raise ValueError(f"thumbnail must be {THUMB_W}x{THUMB_H} finite float16 values")
        return thumbnail

    @classmethod
    def of(cls, stats: FrameStats) -> PictureStats:
        """The statistics of a picture, as sent."""
        thumbnail = stats.thumbnail.astype(THUMB_DTYPE).tobytes()
        return cls(brightness=stats.brightness, contrast=stats.contrast,
                   sharpness=stats.sharpness,
                   thumbnail=base64.b64encode(thumbnail).decode("ascii"))

    def frame_stats(self) -> FrameStats:
        """The statistics as the tamper checks take them."""
        thumbnail = np.frombuffer(base64.b64decode(self.thumbnail), THUMB_DTYPE)
        return FrameStats(self.brightness, self.contrast, self.sharpness,
                          thumbnail.astype(np.float32).reshape(THUMB_H, THUMB_W))


class Observation(BaseModel):
    """One sample of a camera, analysed at the edge."""

    model_config = ConfigDict(extra="forbid")

    at: float = Field(gt=0, allow_inf_nan=False, description="sample time, epoch seconds "
                      "(server clock: the agent adds its measured offset)")
    picture: PictureStats | None = Field(
        description="null: no new frame since the previous sample")
    boxes: list[ObservedBox] | None = Field(
        max_length=MAX_BOXES, description="null: the picture was not analysed (detector down)")
    model: str | None = Field(default=None, max_length=100, description="the agent's model")

    @classmethod
    def of(cls, at: float, stats: FrameStats | None, detections: list[Detection] | None,
           model: str | None = None) -> Observation:
        """An observation of a sample (``stats`` None: no picture; ``detections`` None: not
        analysed)."""
        return cls(at=at, picture=PictureStats.of(stats) if stats is not None else None,
                   boxes=None if detections is None else [
                       ObservedBox(label=d.label, confidence=d.confidence, box=d.box)
                       for d in detections[:MAX_BOXES]],
                   model=model)

    def detections(self) -> list[Detection] | None:
        """The boxes as detections (None: not analysed)."""
        if self.boxes is None:
            return None
        return [Detection(b.label, b.confidence, b.box) for b in self.boxes]


class Observations(BaseModel):
    """The body of ``POST /api/cameras/{id}/observations``: samples in time order."""

    model_config = ConfigDict(extra="forbid")

    observations: list[Observation] = Field(min_length=1, max_length=MAX_OBSERVATIONS)
