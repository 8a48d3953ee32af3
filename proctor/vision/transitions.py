"""What live analysis tells the rest of the server: typed transitions, sent to a sink.

Vision knows nothing of rows, object stores or URLs; whoever keeps the events
(:mod:`proctor.events.sink`) implements :class:`TransitionSink`. Times are epoch seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from proctor.vision.kinds import EventKind
from proctor.vision.rule_spec import JsonObject


@dataclass(frozen=True)
class CameraStatus:
    """What consoles show next to a camera's video: the count and whether analysis runs."""

    camera_id: int
    analysed: bool
    people: int | None
    expected: int | None
    phone_detection: bool  # false: the model has no phone class
    picture: str  # "ok", "no picture", or the tamper signals present, comma separated
    not_analysed_reason: str | None
    model: str | None
    at: float


@dataclass(frozen=True)
class CameraStateChanged:
    """A camera's status changed in a way a console would see."""

    status: CameraStatus


@dataclass(frozen=True)
class EventOpened:
    """A rule confirmed its condition (``at``), which began at ``started_at``."""

    camera_id: int
    kind: EventKind
    zone: str
    started_at: float
    at: float
    peak: JsonObject  # the worst sample's values
    severity: float
    explanation: JsonObject  # rule, timing, sampling and, for model rules, model and scene
    picture: np.ndarray | None = field(default=None, compare=False, repr=False)  # BGR snapshot


@dataclass(frozen=True)
class EventUpdated:
    """An open event got worse: a new peak."""

    camera_id: int
    kind: EventKind
    zone: str
    started_at: float
    at: float
    peak: JsonObject
    severity: float


@dataclass(frozen=True)
class EventClosed:
    """An open event's condition ended at ``at``."""

    camera_id: int
    kind: EventKind
    zone: str
    started_at: float
    at: float


EventTransition = EventOpened | EventUpdated | EventClosed
AnalysisTransition = EventTransition | CameraStateChanged


@dataclass(frozen=True)
class OpenEvent:
    """An event the sink holds open, so analysis continues it after a restart."""

    camera_id: int
    kind: EventKind
    zone: str
    started_at: float
    peak: JsonObject
    severity: float


class TransitionSink(Protocol):
    """Where analysis sends its transitions."""

    async def open_events(self) -> list[OpenEvent]:
        """Every event still open (read once, at start)."""

    async def emit(self, transition: AnalysisTransition) -> None:
        """Take one transition (in order; slow work such as storing a snapshot goes on in the
        background)."""

    async def close(self) -> None:
        """Give background work a moment to finish."""
