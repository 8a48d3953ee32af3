"""Tamper signals on real footage (vtest.avi), altered in ways whose truth is known:
blacked out, covered, blurred, camera shifted, frozen."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import av
import numpy as np
import pytest

from proctor.vision.tamper import TamperKind, frame_stats, tamper_signals


@pytest.fixture(scope="module")
def frames(raw_footage: Path) -> list[np.ndarray]:
    """Luma planes of frames 100..130 of the real footage."""
    with av.open(str(raw_footage)) as container:
        out = []
        for index, frame in enumerate(container.decode(video=0)):
            if index >= 100:
                out.append(frame.to_ndarray(format="gray"))
            if len(out) == 31:
                return out
    raise AssertionError("footage too short")


def box_blur(luma: np.ndarray, radius: int) -> np.ndarray:
    padded = np.pad(luma.astype(np.float32), radius, mode="edge")
    kernel = 2 * radius + 1
    summed = padded.cumsum(0).cumsum(1)
    summed = np.pad(summed, ((1, 0), (1, 0)))
    area = (summed[kernel:, kernel:] - summed[:-kernel, kernel:] - summed[kernel:, :-kernel]
            + summed[:-kernel, :-kernel])
    return (area / kernel**2).astype(np.uint8)


def signals(frames: list[np.ndarray], current: np.ndarray, previous: np.ndarray | None = None):  # type: ignore[no-untyped-def]
    reference = frame_stats(frames[0])
    return tamper_signals(frame_stats(current),
                          frame_stats(previous) if previous is not None else None,
                          reference, baseline_sharpness=reference.sharpness)


def test_normal_footage_raises_nothing(frames: list[np.ndarray]) -> None:
    for previous, current in pairwise(frames):
        assert signals(frames, current, previous) == set()


def test_blacked_out_and_covered(frames: list[np.ndarray]) -> None:
    assert signals(frames, (frames[5] * 0.05).astype(np.uint8)) == {TamperKind.COVERED}
    hand = np.full_like(frames[5], 92) + np.random.default_rng(1).integers(0, 3, frames[5].shape,
                                                                          dtype=np.uint8)
    assert signals(frames, hand) == {TamperKind.COVERED}


def test_defocus_is_judged_against_the_cameras_own_baseline(frames: list[np.ndarray]) -> None:
    assert TamperKind.DEFOCUSED in signals(frames, box_blur(frames[5], 4))
    assert TamperKind.DEFOCUSED not in signals(frames, box_blur(frames[5], 1))


def test_dimmed_lights_are_not_defocus(frames: list[np.ndarray]) -> None:
    assert signals(frames, (frames[5] * 0.5).astype(np.uint8)) == set()


@pytest.mark.parametrize("shift", [0.08, 0.15])
def test_moved_camera(frames: list[np.ndarray], shift: float) -> None:
    moved = np.roll(frames[5], int(shift * frames[5].shape[1]), axis=1)
    assert TamperKind.MOVED in signals(frames, moved)


def test_small_vibration_is_not_a_move(frames: list[np.ndarray]) -> None:
    assert TamperKind.MOVED not in signals(frames, np.roll(frames[5], 3, axis=1))


def test_frozen_picture(frames: list[np.ndarray]) -> None:
    assert TamperKind.FROZEN in signals(frames, frames[7], frames[7].copy())
    assert TamperKind.FROZEN not in signals(frames, frames[8], frames[7])


def test_every_pixel_counts_whatever_the_picture_size(frames: list[np.ndarray]) -> None:
    # 768x576 is not a whole multiple of the 320x240 working size: a cloth over the
    # bottom-right corner must still change the picture's statistics
    covered = frames[9].copy()
    covered[-40:, -60:] = 0
    assert frame_stats(covered).brightness < frame_stats(frames[9]).brightness
    assert not np.array_equal(frame_stats(covered).thumbnail, frame_stats(frames[9]).thumbnail)
    # a picture smaller than the working size (a sub-stream) gives usable figures, not NaN
    tiny = frames[9][::4, ::4]  # 192x144
    stats = frame_stats(tiny)
    assert np.isfinite([stats.brightness, stats.contrast, stats.sharpness]).all()
    assert stats.thumbnail.shape == (96, 128) and np.isfinite(stats.thumbnail).all()
    assert abs(stats.brightness - float(tiny.mean())) < 1.0
