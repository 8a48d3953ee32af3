"""Scenario clips through the real analysis (real model, real footage): every rule finds
its condition, and nothing else is flagged. The figures come from ``proctor eval scenarios``.

One test per clip, each running only its own clip through the detector (the clips are built
once per module, which takes one detection): no single test needs minutes, so a loaded
machine slows the module down without tripping the per-test timeout.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from proctor.vision.detector import Detector
from proctor.vision.detectors import create_detector, detector_config
from proctor.vision.kinds import EventKind
from proctor.vision.rules import AnalysisRules
from proctor_dev.evaluation import scenarios as sc

BASE_FRAME = 600  # vtest frame with five people standing apart
QUIET = ["footage", "dimmed", "soft-focus", "nudged", "room"]  # nothing to flag
INCIDENTS = ["covered", "defocused", "moved", "frozen", "feed-cut", "detector-down",
             "leaves-seat", "intruder", "invigilator-away"]
RESULTS: dict[str, sc.ScenarioResult] = {}  # per clip, computed once per test run



@pytest.fixture(scope="module")
def detector() -> Detector:
    return create_detector(detector_config())


@pytest.fixture(scope="module")
def clips(raw_footage: Path, detector: Detector) -> dict[str, sc.Scenario]:
    base = sc.read_frame(raw_footage, BASE_FRAME)
    people = [d for d in detector.detect([base])[0] if d.label == "person"]
    built = sc.tamper_scenarios(sc.read_footage(raw_footage)) + sc.people_scenarios(base, people)
    return {clip.name: clip for clip in built}


@pytest.fixture
def result_of(clips: dict[str, sc.Scenario], detector: Detector
              ) -> Callable[[str], sc.ScenarioResult]:
    """The analysis of one clip, computed on first use."""
    def run(name: str) -> sc.ScenarioResult:
        if name not in RESULTS:
            RESULTS[name] = sc.run_scenario(clips[name], detector, AnalysisRules())
        return RESULTS[name]
    return run


def test_the_clips_are_the_ones_tested_here(clips: dict[str, sc.Scenario]) -> None:
    assert sorted(clips) == sorted(QUIET + INCIDENTS)
    assert sorted(name for name, clip in clips.items() if not clip.truths) == sorted(QUIET)


def test_every_rule_is_exercised(clips: dict[str, sc.Scenario]) -> None:
    exercised = {t.kind for clip in clips.values() for t in clip.truths}
    assert exercised == {k for k in EventKind if k is not EventKind.PHONE}


@pytest.mark.parametrize("name", QUIET)
def test_clips_without_incidents_raise_no_alarm(
        result_of: Callable[[str], sc.ScenarioResult], name: str) -> None:
    assert result_of(name).events == []


@pytest.mark.parametrize("name", INCIDENTS)
def test_each_rule_finds_its_condition_with_the_designed_delay(
        result_of: Callable[[str], sc.ScenarioResult], name: str) -> None:
    rules = AnalysisRules()
    result = result_of(name)
    assert result.scenario.truths
    for truth in result.scenario.truths:
        event = result.matched.get(truth)
        assert event is not None, f"{name}: {truth.kind.value} missed"
        delay = event.opened_at - truth.start
        timing = rules.timing(truth.kind)
        # never before the smoothing allows, and at most a few samples after it
        assert timing.hold_s <= delay <= timing.hold_s + timing.confirm_n + 2, delay
    assert result.false_alarms == []


@pytest.mark.timeout(900)  # only when run alone: otherwise every clip is computed already
def test_summary_scores_every_kind(result_of: Callable[[str], sc.ScenarioResult]) -> None:
    summary = sc.summarise([result_of(name) for name in QUIET + INCIDENTS])
    assert summary["seat_shared"]["precision"] == 1.0
    assert summary["covered"]["recall"] == 1.0
    assert set(summary) == {k.value for k in EventKind} - {"phone"}
