"""Alert rules: which event kinds exist, how long a condition must hold to open an event, and
the tracker that turns a stream of per-sample readings into open/update/close transitions.

Every rule is smoothed the same way (:class:`RuleTiming`):

- **confirm k of n**: the condition was seen in at least ``confirm_k`` of the last
  ``confirm_n`` samples (one missed detection does not reset it);
- **hold**: and it has been going on for at least ``hold_s`` seconds (e.g. a seat empty
  for longer than T);
- **clear**: an open event closes after ``clear_n`` samples in a row without the condition;
  fewer misses than that do not restart a hold either (a person missed by the detector
  in two samples has not come back to the seat);
- **cooldown**: after closing, the same rule on the same camera and zone stays quiet for
  ``cooldown_s`` seconds, so a flickering condition does not flood the supervisor.

A sample in which a rule cannot be judged (no picture, detector down) counts as "condition
absent": the event closes rather than claiming something nobody can see; the camera's own
``stream_lost`` or ``not_analysed`` event says why.
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class EventKind(str, enum.Enum):
    """Something a supervisor wants flagged."""

    EXTRA_PERSON = "extra_person"  # headcount above expected
    PERSON_MISSING = "person_missing"  # headcount below expected
    SEAT_EMPTY = "seat_empty"  # a seat zone empty for longer than T
    SEAT_SHARED = "seat_shared"  # two or more people in one seat zone
    INVIGILATOR_AWAY = "invigilator_away"  # invigilator zone empty for longer than T
    PHONE = "phone"  # a phone in view (models with a phone class only)
    COVERED = "covered"  # picture dark or uniform: lens covered
    DEFOCUSED = "defocused"  # sharpness far below the camera's baseline
    MOVED = "moved"  # scene differs from the reference frame
    FROZEN = "frozen"  # picture unchanged for T
    STREAM_LOST = "stream_lost"  # no frames for T
    NOT_ANALYSED = "not_analysed"  # the detector is down; video continues unanalysed


DESCRIPTIONS: dict[EventKind, str] = {
    EventKind.EXTRA_PERSON: "more people in view than expected",
    EventKind.PERSON_MISSING: "fewer people in view than expected",
    EventKind.SEAT_EMPTY: "nobody in the seat zone",
    EventKind.SEAT_SHARED: "two or more people in one seat zone",
    EventKind.INVIGILATOR_AWAY: "nobody in the invigilator zone",
    EventKind.PHONE: "a mobile phone in view",
    EventKind.COVERED: "picture dark or uniform: the lens may be covered",
    EventKind.DEFOCUSED: "picture much less sharp than the camera's baseline",
    EventKind.MOVED: "scene shifted or changed against the reference frame",
    EventKind.FROZEN: "picture identical from sample to sample",
    EventKind.STREAM_LOST: "no video frames from the camera",
    EventKind.NOT_ANALYSED: "the detector is unavailable: video continues but is not analysed",
}


class RuleTiming(BaseModel):
    """Smoothing and cooldown of one rule (see the module docstring)."""

    model_config = ConfigDict(extra="forbid")

    confirm_k: int = Field(default=3, ge=1, description="samples with the condition ...")
    confirm_n: int = Field(default=4, ge=1, description="... among the last n samples")
    hold_s: float = Field(default=0.0, ge=0, description="condition lasted at least this long")
    clear_n: int = Field(default=3, ge=1, description="samples in a row without it close")
    cooldown_s: float = Field(default=60.0, ge=0, description="quiet time after closing")

    @model_validator(mode="after")
    def _k_within_n(self) -> RuleTiming:
        if self.confirm_k > self.confirm_n:
            raise ValueError(f"confirm_k ({self.confirm_k}) cannot exceed confirm_n "
                             f"({self.confirm_n})")
        return self


_DEFAULT_TIMINGS: dict[EventKind, dict[str, float]] = {
    EventKind.EXTRA_PERSON: {"confirm_k": 3, "confirm_n": 4},
    EventKind.PERSON_MISSING: {"confirm_k": 4, "confirm_n": 5, "hold_s": 5},
    EventKind.SEAT_EMPTY: {"confirm_k": 4, "confirm_n": 5, "hold_s": 30},
    EventKind.SEAT_SHARED: {"confirm_k": 3, "confirm_n": 4},
    EventKind.INVIGILATOR_AWAY: {"confirm_k": 4, "confirm_n": 5, "hold_s": 60},
    EventKind.PHONE: {"confirm_k": 2, "confirm_n": 3},
    EventKind.COVERED: {"confirm_k": 3, "confirm_n": 3, "clear_n": 2},
    EventKind.DEFOCUSED: {"confirm_k": 5, "confirm_n": 5},
    EventKind.MOVED: {"confirm_k": 5, "confirm_n": 5},
    EventKind.FROZEN: {"confirm_k": 1, "confirm_n": 1, "hold_s": 10, "clear_n": 2},
    EventKind.STREAM_LOST: {"confirm_k": 1, "confirm_n": 1, "hold_s": 5, "clear_n": 1,
                            "cooldown_s": 0},
    EventKind.NOT_ANALYSED: {"confirm_k": 1, "confirm_n": 1, "clear_n": 1, "cooldown_s": 0},
}


class AnalysisRules(BaseModel):
    """Timing of every rule. Give only what differs from the defaults, e.g.
    ``{"seat_empty": {"hold_s": 120}}``: the other fields of that rule keep their defaults."""

    model_config = ConfigDict(extra="forbid")

    timings: dict[EventKind, RuleTiming] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _merge_defaults(cls, data: Any) -> Any:
        given = data.get("timings", data) if isinstance(data, dict) else {}
        unknown = sorted(set(given) - {kind.value for kind in EventKind})
        if unknown:
            raise ValueError(f"unknown rule(s) {', '.join(unknown)}; rules are "
                             f"{', '.join(kind.value for kind in EventKind)}")
        return {"timings": {kind: {**defaults, **given.get(kind.value, {})}
                            for kind, defaults in _DEFAULT_TIMINGS.items()}}

    def timing(self, kind: EventKind) -> RuleTiming:
        """The timing of ``kind``."""
        return self.timings[kind]


@dataclass(frozen=True)
class Reading:
    """One sample's verdict for one rule and zone: is the condition present, how bad is it
    (``severity``, larger is worse: the event keeps the values of its worst sample)."""

    active: bool
    severity: float = 0.0
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Transition:
    """An event opening, getting worse, or closing."""

    action: Literal["open", "update", "close"]
    kind: EventKind
    zone: str
    started_at: float  # epoch seconds
    at: float  # when this transition happened (the end time for "close")
    peak: dict[str, Any]


class RuleTracker:
    """The smoothing state of one rule on one camera and zone."""

    def __init__(self, kind: EventKind, zone: str, timing: RuleTiming) -> None:
        self.kind = kind
        self.zone = zone
        self.timing = timing
        self._window: deque[tuple[float, bool]] = deque(maxlen=timing.confirm_n)
        self._run_started: float | None = None
        self._absent_streak = 0
        self._absent_since: float | None = None
        self._closed_at: float | None = None
        self.open_since: float | None = None
        self.peak_severity = float("-inf")
        self.peak: dict[str, Any] = {}

    @property
    def is_open(self) -> bool:
        """Whether this rule has an open event."""
        return self.open_since is not None

    def restore(self, started_at: float, peak: dict[str, Any], severity: float) -> None:
        """Continue an event opened before a restart."""
        self.open_since = self._run_started = started_at
        self.peak, self.peak_severity = dict(peak), severity

    def step(self, at: float, reading: Reading) -> Transition | None:
        """Take one sample; returns the transition it causes, if any."""
        self._window.append((at, reading.active))
        if reading.active:
            self._absent_streak, self._absent_since = 0, None
        else:
            self._absent_streak += 1
            self._absent_since = self._absent_since if self._absent_since is not None else at
        confirmed = sum(active for _, active in self._window) >= self.timing.confirm_k
        if confirmed and self._run_started is None:
            self._run_started = next(t for t, active in self._window if active)
        if self._absent_streak >= self.timing.clear_n:
            return self._clear()
        if not reading.active:
            return None
        if self.is_open:
            return self._worsen(at, reading)
        if (confirmed and self._run_started is not None
                and at - self._run_started >= self.timing.hold_s and not self._cooling(at)):
            self.open_since = self._run_started
            self.peak_severity, self.peak = reading.severity, reading.values
            return Transition("open", self.kind, self.zone, self._run_started, at, self.peak)
        return None

    def _cooling(self, at: float) -> bool:
        return self._closed_at is not None and at - self._closed_at < self.timing.cooldown_s

    def _worsen(self, at: float, reading: Reading) -> Transition | None:
        if reading.severity <= self.peak_severity:
            return None
        self.peak_severity, self.peak = reading.severity, reading.values
        assert self.open_since is not None
        return Transition("update", self.kind, self.zone, self.open_since, at, self.peak)

    def _clear(self) -> Transition | None:
        self._run_started = None
        if not self.is_open:
            return None
        assert self.open_since is not None and self._absent_since is not None
        transition = Transition("close", self.kind, self.zone, self.open_since,
                                self._absent_since, self.peak)
        self.open_since, self._closed_at = None, self._absent_since
        self._window.clear()
        return transition
