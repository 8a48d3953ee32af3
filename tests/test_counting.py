"""People counts over time (pure): the median of a camera's latest samples, by zone, with
an age limit; and what the camera monitor's rules make of a one-sample glitch with and
without it."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from proctor.vision.counting import CountFusion, Counts, CountWindow
from proctor.vision.detector import Detection
from proctor.vision.kinds import EventKind
from proctor.vision.monitor import CameraMonitor, Sample
from proctor.vision.rules import AnalysisRules
from proctor.vision.scene import SceneSettings, Zone


def fused(window: CountWindow, people: list[int], start: float = 0.0) -> list[int]:
    """The fused count after each sample (one a second)."""
    return [window.add(start + i, Counts(n)).people for i, n in enumerate(people)]


def test_a_one_or_two_sample_glitch_does_not_move_the_median_of_five() -> None:
    window = CountWindow(CountFusion(samples=5))
    assert fused(window, [3, 3, 3, 4, 3, 3, 2, 2, 3, 3]) == [3, 3, 3, 3, 3, 3, 3, 3, 3, 3]


def test_a_real_change_shows_after_half_the_window() -> None:
    window = CountWindow(CountFusion(samples=5))
    assert fused(window, [3, 3, 3, 3, 3, 2, 2, 2, 2]) == [3, 3, 3, 3, 3, 3, 3, 2, 2]


def test_while_the_window_fills_the_lower_middle_value_counts() -> None:
    assert fused(CountWindow(CountFusion(samples=5)), [1, 3, 3]) == [1, 1, 3]


def test_one_sample_counts_each_sample_alone() -> None:
    assert fused(CountWindow(CountFusion(samples=1)), [3, 4, 3, 0]) == [3, 4, 3, 0]


def test_samples_older_than_the_age_limit_are_left_out() -> None:
    window = CountWindow(CountFusion(samples=5, max_age_s=10))
    fused(window, [4, 4, 4, 4])  # at 0..3
    assert window.add(20.0, Counts(1)).people == 1  # after a gap, only the fresh sample


def test_zones_are_fused_one_by_one() -> None:
    window = CountWindow(CountFusion(samples=3))
    window.add(0.0, Counts(2, {"A1": 1, "desk": 1}))
    window.add(1.0, Counts(1, {"A1": 0, "desk": 1}))
    assert window.add(2.0, Counts(2, {"A1": 1, "desk": 0})) == Counts(2, {"A1": 1, "desk": 1})
    assert CountWindow(CountFusion()).fused() == Counts(0)


def test_fusion_settings_are_checked() -> None:
    assert CountFusion() == CountFusion(samples=5, max_age_s=10.0)
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        CountFusion(samples=0)
    with pytest.raises(ValidationError, match="extra"):
        CountFusion.model_validate({"window": 3})


SEAT = Zone(name="A1", polygon=[(0.0, 0.0), (0.5, 0.0), (0.5, 1.0), (0.0, 1.0)])
IN_SEAT = Detection("person", 0.9, (0.1, 0.2, 0.3, 0.8))
ELSEWHERE = Detection("person", 0.9, (0.6, 0.2, 0.8, 0.8))
FAST = AnalysisRules.model_validate({"extra_person": {"confirm_k": 1, "confirm_n": 1},
                                     "seat_empty": {"confirm_k": 1, "confirm_n": 1,
                                                    "hold_s": 0}})
ROOM = np.random.default_rng(3).integers(40, 200, (120, 160), dtype=np.uint8)


def opened(counting: CountFusion, frames: list[list[Detection]]) -> set[EventKind]:
    """The kinds of events a monitor with rules that react to one sample opens."""
    monitor = CameraMonitor(1, SceneSettings(expected_headcount=2, seat_zones=[SEAT]), FAST,
                            phone_detection=False, counting=counting)
    rng = np.random.default_rng(4)  # sensor noise: identical pictures read as frozen
    return {t.kind for i, people in enumerate(frames)
            for t in monitor.observe(Sample(float(i), ROOM + rng.integers(0, 3, ROOM.shape,
                                                                          dtype=np.uint8),
                                            people))
            if t.action == "open"}


def test_the_monitor_s_rules_read_the_fused_counts() -> None:
    room = [IN_SEAT, ELSEWHERE]
    # one sample doubles a person and misses the examinee in the seat
    glitch = [room] * 4 + [[ELSEWHERE, ELSEWHERE, ELSEWHERE]] + [room] * 4
    assert opened(CountFusion(samples=1), glitch) == {EventKind.EXTRA_PERSON,
                                                      EventKind.SEAT_EMPTY}
    assert opened(CountFusion(samples=5), glitch) == set()
    gone = [room] * 4 + [[ELSEWHERE, ELSEWHERE, ELSEWHERE]] * 4  # the change lasts
    assert opened(CountFusion(samples=5), gone) == {EventKind.EXTRA_PERSON,
                                                    EventKind.SEAT_EMPTY}
