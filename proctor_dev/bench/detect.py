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
                     warmup: int = 3, batch: int = 1) -> dict[str, float | int | str]:
    """Detect COUNT frames (cycling through FRAMES), BATCH per call as the analyzer sends
    several cameras' samples at once, after WARMUP calls. ``ms_per_frame_p50`` is a call's
    time over its frames; ``cpu_ms_per_frame`` this process's CPU time per frame (all
    threads), what decides how many cameras a box analyses."""
    for i in range(warmup):
        detector.detect(_cycle(frames, i * batch, batch))
    per_frame, wall_s = [], 0.0
    cpu0 = time.process_time()
    for i in range(0, count, batch):
        size = min(batch, count - i)
        start = time.perf_counter()
        detector.detect(_cycle(frames, i, size))
        elapsed = time.perf_counter() - start
        per_frame.append(elapsed / size)
        wall_s += elapsed
    cpu_s = time.process_time() - cpu0
    return {"backend": detector.type_key, "model": detector.spec.name,
            "imgsz": detector.settings.imgsz, "threads": detector.threads, "batch": batch,
            "frames": count, "ms_per_frame_p50": round(1000 * statistics.median(per_frame), 1),
            "cpu_ms_per_frame": round(1000 * cpu_s / count, 1),
            "frames_per_s": round(count / wall_s, 2)}


def _cycle(frames: list[np.ndarray], start: int, count: int) -> list[np.ndarray]:
    return [frames[(start + k) % len(frames)] for k in range(count)]
