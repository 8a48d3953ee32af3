"""A scripted stand-in for the detector process (no child process, no model), for tests
of what keeps it running and what analyses with it."""

from __future__ import annotations

import numpy as np

from proctor.vision.detector import Detection
from proctor.vision.worker import ModelInfo

PERSON = Detection("person", 0.9, (0.1, 0.1, 0.2, 0.4))
MODEL = ModelInfo("yolo-test", "0" * 64, "cpu", 64, frozenset({"person"}))


class ScriptedProcess:
    """A :class:`~proctor.vision.worker.DetectorProcess` whose starts follow ``starts`` (an
    exception to raise, or ``None`` to come up), that finds ``people`` in every frame, and
    whose next detection raises ``detect_error`` when it is set."""

    def __init__(self, *starts: BaseException | None) -> None:
        self.starts = list(starts)
        self.started = 0
        self.stops: list[bool] = []  # graceful or not, per stop
        self.detect_error: BaseException | None = None
        self.model: ModelInfo | None = None
        self.seen: list[list[np.ndarray]] = []
        self.people = 1  # people found in every frame

    async def start(self) -> ModelInfo:
        self.started += 1
        outcome = self.starts.pop(0) if self.starts else None
        if outcome is not None:
            raise outcome
        self.model = MODEL
        return self.model

    async def detect(self, frames: list[np.ndarray]) -> list[list[Detection]]:
        if self.detect_error is not None:
            error, self.detect_error = self.detect_error, None
            raise error
        self.seen.append(frames)
        return [[PERSON] * self.people for _ in frames]

    def stop(self, graceful: bool = True) -> None:
        self.stops.append(graceful)
        self.model = None
