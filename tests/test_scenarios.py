"""Scenario clips through the real analysis (real model, real footage): every rule finds
its condition, and nothing else is flagged. The figures come from ``proctor eval scenarios``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from proctor_dev.evaluation import scenarios as sc
from proctor.vision.detectors import create_detector, detector_config
from proctor.vision.rules import AnalysisRules, EventKind

BASE_FRAME = 600  # vtest frame with five people standing apart


@pytest.fixture(scope="module")
def results(raw_footage: Path) -> list[sc.ScenarioResult]:
    detector = create_detector(detector_config())
    base = sc.read_frame(raw_footage, BASE_FRAME)
    people = [d for d in detector.detect([base])[0] if d.label == "person"]
    clips = sc.tamper_scenarios(sc.read_footage(raw_footage)) + sc.people_scenarios(base, people)
    return list(sc.iterate(clips, detector, AnalysisRules()))


def test_clips_without_incidents_raise_no_alarm(results: list[sc.ScenarioResult]) -> None:
    quiet = [r for r in results if not r.scenario.truths]
    assert {r.scenario.name for r in quiet} == {"footage", "dimmed", "soft-focus", "nudged", "room"}
    for result in quiet:
        assert result.events == [], result.scenario.name


@pytest.mark.parametrize("kind", [k for k in EventKind if k is not EventKind.PHONE])
def test_each_rule_finds_its_condition_with_the_designed_delay(
        results: list[sc.ScenarioResult], kind: EventKind) -> None:
    rules = AnalysisRules()
    truths = [(r, t) for r in results for t in r.scenario.truths if t.kind is kind]
    assert truths, f"no scenario exercises {kind.value}"
    for result, truth in truths:
        event = result.matched.get(truth)
        assert event is not None, f"{result.scenario.name}: {kind.value} missed"
        delay = event.opened_at - truth.start
        timing = rules.timing(kind)
        # never before the smoothing allows, and at most a few samples after it
        assert timing.hold_s <= delay <= timing.hold_s + timing.confirm_n + 2, delay
        assert result.false_alarms == [], result.scenario.name


def test_summary_scores_every_kind(results: list[sc.ScenarioResult]) -> None:
    summary = sc.summarise(results)
    assert summary["seat_shared"]["precision"] == 1.0
    assert summary["covered"]["recall"] == 1.0
    assert set(summary) == {k.value for k in EventKind} - {"phone"}
