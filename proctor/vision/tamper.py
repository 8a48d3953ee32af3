"""Camera tamper signals from the picture alone (no model): covered or dark, out of focus,
moved, frozen. Pure functions on the luma plane; the rules engine adds duration and cooldown.

- *covered/dark*: the picture is nearly black, or nearly uniform (a hand or cloth on the lens);
- *defocused*: sharpness (variance of the Laplacian relative to the picture's contrast, so
  dimmer light is not blur) far below the camera's own baseline;
- *moved*: the scene is shifted against the camera's reference frame (phase correlation),
  or no longer resembles it;
- *frozen*: the picture is identical to the previous sample: a live sensor always has some
  noise, a stuck encoder or a looped still does not.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

THUMB_W, THUMB_H = 128, 96


class TamperKind(str, enum.Enum):
    """What is wrong with the camera's picture."""

    COVERED = "covered"
    DEFOCUSED = "defocused"
    MOVED = "moved"
    FROZEN = "frozen"


class TamperThresholds(BaseModel):
    """Where each signal trips; tuned on the sample footage (see tests/test_tamper.py).
    Set with ``PROCTOR_ANALYSIS_TAMPER``, e.g. ``{"defocus_ratio": 0.15}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dark_brightness: float = Field(default=25.0, ge=0, le=255)  # mean luma, 0-255
    uniform_contrast: float = Field(default=8.0, ge=0)  # luma standard deviation
    # sharpness below this share of the baseline; measured on vtest (768x576) against the
    # median of its first 10 samples: normal frames 0.89-1.04, Gaussian blur sigma 0.7
    # 0.53-0.62 and sigma 1.0 0.35-0.41 (soft, not flagged), sigma 1.5 0.17-0.20 (flagged)
    defocus_ratio: float = Field(default=0.25, gt=0, lt=1)
    moved_shift: float = Field(default=0.04, gt=0, lt=1)  # share of the width/height
    moved_similarity: float = Field(default=0.35, ge=-1, le=1)  # correlation with the reference
    frozen_difference: float = Field(default=0.02, ge=0)  # mean abs thumbnail difference, luma


@dataclass(frozen=True)
class FrameStats:
    """What tamper checks need from one sampled frame."""

    brightness: float
    contrast: float
    sharpness: float
    thumbnail: np.ndarray  # THUMB_H x THUMB_W float32 luma


def _downscale(luma: np.ndarray, width: int, height: int) -> np.ndarray:
    """Area-average ``luma`` to ``width`` x ``height``: every pixel counts, whatever the
    ratio; a picture smaller than that is stretched (each output cell takes its pixel)."""
    rows_in, cols_in = luma.shape[:2]
    rows = np.arange(height) * rows_in // height  # first input row of each output row
    cols = np.arange(width) * cols_in // width
    sums = np.add.reduceat(np.add.reduceat(luma.astype(np.float32), rows, axis=0), cols, axis=1)
    row_counts = np.maximum(np.diff(rows, append=rows_in), 1)
    col_counts = np.maximum(np.diff(cols, append=cols_in), 1)
    return sums / np.outer(row_counts, col_counts).astype(np.float32)


def frame_stats(luma: np.ndarray) -> FrameStats:
    """Brightness, contrast, sharpness and a thumbnail of a luma plane (height x width uint8)."""
    small = _downscale(luma, 320, 240)
    laplacian = (small[1:-1, :-2] + small[1:-1, 2:] + small[:-2, 1:-1] + small[2:, 1:-1]
                 - 4 * small[1:-1, 1:-1])
    contrast = float(small.std())
    # edge energy relative to contrast: dimming the lights scales both, blur only the first
    return FrameStats(brightness=float(small.mean()), contrast=contrast,
                      sharpness=float(laplacian.var()) / (contrast * contrast + 1.0),
                      thumbnail=_downscale(luma, THUMB_W, THUMB_H))


def scene_shift(reference: np.ndarray, current: np.ndarray) -> tuple[float, float, float]:
    """``(dx, dy, similarity)``: the shift of ``current`` against ``reference`` as shares of
    the width and height (phase correlation), and their normalised correlation."""
    window = np.outer(np.hanning(reference.shape[0]), np.hanning(reference.shape[1]))
    a = (reference - reference.mean()) * window
    b = (current - current.mean()) * window
    cross = np.fft.fft2(a) * np.conj(np.fft.fft2(b))
    peak = np.fft.ifft2(cross / (np.abs(cross) + 1e-9)).real
    dy, dx = np.unravel_index(int(np.argmax(peak)), peak.shape)
    height, width = peak.shape
    dy = dy - height if dy > height // 2 else dy
    dx = dx - width if dx > width // 2 else dx
    similarity = float((a * b).sum() / (np.sqrt((a * a).sum() * (b * b).sum()) + 1e-9))
    return dx / width, dy / height, similarity


def tamper_signals(stats: FrameStats, previous: FrameStats | None, reference: FrameStats | None,
                   baseline_sharpness: float | None,
                   limits: TamperThresholds = TamperThresholds()) -> set[TamperKind]:
    """The tamper conditions present in this sample (instantaneous; no smoothing here)."""
    found: set[TamperKind] = set()
    if stats.brightness < limits.dark_brightness or stats.contrast < limits.uniform_contrast:
        return {TamperKind.COVERED}  # nothing else can be judged on a covered picture
    if baseline_sharpness and stats.sharpness < limits.defocus_ratio * baseline_sharpness:
        found.add(TamperKind.DEFOCUSED)
    if reference is not None:
        dx, dy, similarity = scene_shift(reference.thumbnail, stats.thumbnail)
        if max(abs(dx), abs(dy)) > limits.moved_shift or similarity < limits.moved_similarity:
            found.add(TamperKind.MOVED)
    if previous is not None and float(np.abs(stats.thumbnail - previous.thumbnail).mean()) \
            < limits.frozen_difference:
        found.add(TamperKind.FROZEN)
    return found
