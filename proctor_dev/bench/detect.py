"""Detector latency on real frames: per-frame milliseconds (p50) and frames per second."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import cv2
import numpy as np

from proctor.vision.detector import Detector


def load_frames(folder: Path, limit: int = 20) -> list[np.ndarray]:
    """Up to LIMIT images from a folder (default: the labelled count set), as BGR arrays."""
    paths = sorted(folder.glob("*.jpg"))[:limit]
    if not paths:
        raise FileNotFoundError(f"no .jpg images in {folder}")
    return [_read_image(path) for path in paths]


def _read_image(path: Path) -> np.ndarray:
    frame = cv2.imread(str(path))
    if frame is None:
        raise FileNotFoundError(f"cannot read image {path}")
    return frame


def run_detect_bench(detector: Detector, frames: list[np.ndarray], count: int,
                     warmup: int = 3) -> dict[str, float | int | str]:
    """Detect COUNT frames one at a time (cycling through FRAMES) after WARMUP runs."""
    for frame in frames[:warmup]:
        detector.detect([frame])
    times = []
    for i in range(count):
        start = time.perf_counter()
        detector.detect([frames[i % len(frames)]])
        times.append(time.perf_counter() - start)
    return {"backend": detector.type_key, "model": detector.spec.name,
            "imgsz": detector.settings.imgsz, "threads": detector.threads,
            "frames": count, "ms_per_frame_p50": round(1000 * statistics.median(times), 1),
            "frames_per_s": round(count / sum(times), 2)}
