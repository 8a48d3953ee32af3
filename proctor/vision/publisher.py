"""Publishing: a monitor's rule transitions and state become typed transitions
(:mod:`proctor.vision.transitions`) with what a reviewer needs to trust them, sent to the
sink."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

import numpy as np

from proctor.vision.kinds import EventKind
from proctor.vision.monitor import CameraMonitor, CameraState
from proctor.vision.rule_spec import JsonObject
from proctor.vision.rules import Transition
from proctor.vision.transitions import (
    CameraStateChanged,
    CameraStatus,
    EventClosed,
    EventOpened,
    EventTransition,
    EventUpdated,
    TransitionSink,
)
from proctor.vision.worker import ModelInfo


class Publisher:
    """Turns what a camera monitor found into transitions for the sink."""

    def __init__(self, sink: TransitionSink, sampling_fps: float, confidence: float,
                 model: Callable[[], ModelInfo | None],
                 detector_error: Callable[[], str | None]) -> None:
        self.sink = sink
        self.sampling_fps = sampling_fps
        self.confidence = confidence
        self.model = model
        self.detector_error = detector_error

    async def transitions(self, monitor: CameraMonitor, found: list[Transition],
                          picture: np.ndarray | None) -> None:
        """Send the events a sample opened, worsened or closed (``picture``: the sample's
        BGR frame, the snapshot of events it opens)."""
        for transition in found:
            await self.sink.emit(self.typed(monitor, transition, picture))

    async def state(self, before: CameraState | None, monitor: CameraMonitor) -> None:
        """Send the camera's state if a console would see a difference."""
        if monitor.state is not None and changed(before, monitor.state):
            await self.sink.emit(CameraStateChanged(self.status(monitor.camera_id,
                                                                monitor.state)))

    def status(self, camera_id: int, state: CameraState) -> CameraStatus:
        """What consoles show of the camera: its state, why it is not analysed, the model."""
        model = self.model()
        reason = None if state.analysed else (
            self.detector_error() if state.picture != "no picture" else "no picture")
        return CameraStatus(camera_id=camera_id, **asdict(state), not_analysed_reason=reason,
                            model=model.name if model is not None else None)

    def typed(self, monitor: CameraMonitor, transition: Transition,
              picture: np.ndarray | None) -> EventTransition:
        """The typed transition of a tracker's transition on ``monitor``'s camera."""
        key = (monitor.camera_id, transition.kind, transition.zone, transition.started_at,
               transition.at)
        if transition.action == "open":
            return EventOpened(*key, transition.peak, transition.severity,
                               self.explain(monitor, transition.kind), picture)
        if transition.action == "update":
            return EventUpdated(*key, transition.peak, transition.severity)
        return EventClosed(*key)

    def explain(self, monitor: CameraMonitor, kind: EventKind) -> JsonObject:
        """Which rule, with which timing and sampling, and for model rules which scene and
        model, so a reviewer can tell why the event opened."""
        explanation: JsonObject = {
            "rule": kind.value, "description": kind.spec.description,
            "timing": monitor.rules.timing(kind).model_dump(),
            "sampling_fps": self.sampling_fps}
        if kind.spec.uses_model:
            explanation["scene"] = monitor.scene.model_dump(mode="json")
            model = self.model()
            explanation["model"] = None if model is None else {
                "name": model.name, "sha256": model.sha256, "backend": model.backend,
                "imgsz": model.imgsz, "confidence": self.confidence}
        if kind is EventKind.NOT_ANALYSED:
            explanation["reason"] = self.detector_error()
        return explanation


def changed(before: CameraState | None, after: CameraState) -> bool:
    """Whether a console would see a difference (the time alone does not count)."""
    if before is None:
        return True
    return asdict(before) | {"at": 0} != asdict(after) | {"at": 0}
