"""Publishing: a camera monitor's findings become typed transitions with their explanation,
and a camera's state is sent only when a console would see a difference."""

from __future__ import annotations

import numpy as np

from proctor.vision.counting import CountFusion
from proctor.vision.detector import Detection
from proctor.vision.kinds import EventKind
from proctor.vision.monitor import CameraMonitor, Sample
from proctor.vision.publisher import Publisher
from proctor.vision.rules import AnalysisRules
from proctor.vision.scene import SceneSettings
from proctor.vision.transitions import (
    AnalysisTransition,
    CameraStateChanged,
    EventClosed,
    EventOpened,
    OpenEvent,
)
from proctor.vision.worker import ModelInfo

MODEL = ModelInfo("person-default", "ab" * 32, "openvino", 640, frozenset({"person"}))
RULES = AnalysisRules.model_validate(
    {"person_missing": {"confirm_k": 1, "confirm_n": 1, "hold_s": 0, "clear_n": 1}})


class ListSink:
    """A sink that keeps what it is sent."""

    def __init__(self) -> None:
        self.sent: list[AnalysisTransition] = []

    async def open_events(self) -> list[OpenEvent]:
        return []

    async def emit(self, transition: AnalysisTransition) -> None:
        self.sent.append(transition)

    async def close(self) -> None:
        return None


SCENE = np.random.default_rng(0).integers(40, 200, (240, 320)).astype(np.int16)


def picture(seed: int) -> np.ndarray:
    """The same view with fresh sensor noise (neither moved nor frozen)."""
    noise = np.random.default_rng(seed).integers(-3, 4, SCENE.shape)
    noisy: np.ndarray = np.clip(SCENE + noise, 0, 255).astype(np.uint8)
    return noisy


async def step(publisher: Publisher, monitor: CameraMonitor, at: float,
               people: int) -> None:
    before = monitor.state
    luma = picture(int(at))
    found = monitor.observe(Sample(at, luma, [Detection("person", 0.9, (0.1, 0.1, 0.2, 0.2))]
                                   * people))
    await publisher.transitions(monitor, found, np.dstack([luma] * 3))
    await publisher.state(before, monitor)


async def test_events_and_states_reach_the_sink_typed_and_explained() -> None:
    sink = ListSink()
    publisher = Publisher(sink, sampling_fps=1.0, confidence=0.4, model=lambda: MODEL,
                          detector_error=lambda: None)
    # each sample counted alone, so one sample's count opens and closes the event
    monitor = CameraMonitor(7, SceneSettings(expected_headcount=2), RULES, False,
                            counting=CountFusion(samples=1))
    await step(publisher, monitor, 100.0, people=2)
    await step(publisher, monitor, 101.0, people=2)  # same count: no state message
    await step(publisher, monitor, 102.0, people=1)
    await step(publisher, monitor, 103.0, people=2)

    kinds = [type(t).__name__ for t in sink.sent]
    assert kinds == ["CameraStateChanged", "EventOpened", "CameraStateChanged", "EventClosed",
                     "CameraStateChanged"]
    state = sink.sent[0]
    assert isinstance(state, CameraStateChanged)
    assert (state.status.camera_id, state.status.people, state.status.model) == (
        7, 2, "person-default")
    opened, closed = sink.sent[1], sink.sent[3]
    assert isinstance(opened, EventOpened) and isinstance(closed, EventClosed)
    assert (opened.camera_id, opened.kind, opened.started_at, opened.severity) == (
        7, EventKind.PERSON_MISSING, 102.0, 1)
    assert opened.peak == {"count": 1, "expected": 2, "confidence": 0.9}
    assert opened.picture is not None and opened.picture.shape == (240, 320, 3)
    assert opened.explanation["model"]["sha256"] == MODEL.sha256
    assert opened.explanation["timing"]["confirm_n"] == 1
    assert opened.explanation["scene"]["expected_headcount"] == 2
    assert closed == EventClosed(7, EventKind.PERSON_MISSING, "", 102.0, 103.0)


def test_why_a_camera_is_not_analysed() -> None:
    publisher = Publisher(ListSink(), 1.0, 0.4, model=lambda: None,
                          detector_error=lambda: "detector died (exit -9)")
    monitor = CameraMonitor(1, SceneSettings(), AnalysisRules(), False)
    monitor.observe(Sample(1.0, picture(1), None))
    assert monitor.state is not None
    status = publisher.status(1, monitor.state)
    assert (status.analysed, status.not_analysed_reason, status.model) == (
        False, "detector died (exit -9)", None)
    monitor.observe(Sample(2.0, None, None))
    assert monitor.state is not None
    assert publisher.status(1, monitor.state).not_analysed_reason == "no picture"
    explanation = publisher.explain(monitor, EventKind.NOT_ANALYSED)
    assert explanation["reason"] == "detector died (exit -9)" and "model" not in explanation
