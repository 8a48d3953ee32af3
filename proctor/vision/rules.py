"""Rule timing and the tracker that turns a stream of per-sample readings into open/update/
close transitions (the rules themselves are declared in :mod:`proctor.vision.kinds`).

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

A sample in which a rule cannot be judged (no picture, detector down, lens covered: an
:data:`~proctor.vision.rule_spec.UNJUDGED` reading) is no evidence either way: it neither
confirms, holds, nor clears the condition (an open event stays open while the camera's own
``stream_lost``, ``not_analysed`` or ``covered`` event says why nobody can see). A rule
that no longer applies (its zone or expected headcount removed) gives no reading at all, which
counts as "condition absent", so its event closes.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from proctor.vision.kinds import EventKind
from proctor.vision.rule_spec import JsonObject, Reading, RuleTiming


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
        return {"timings": {kind: {**kind.spec.timing.model_dump(), **given.get(kind.value, {})}
                            for kind in EventKind}}

    def timing(self, kind: EventKind) -> RuleTiming:
        """The timing of ``kind``."""
        return self.timings[kind]


@dataclass(frozen=True)
class Transition:
    """An event opening, getting worse, or closing."""

    action: Literal["open", "update", "close"]
    kind: EventKind
    zone: str
    started_at: float  # epoch seconds
    at: float  # when this transition happened (the end time for "close")
    peak: JsonObject
    severity: float  # of the peak


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
        self.peak: JsonObject = {}

    @property
    def is_open(self) -> bool:
        """Whether this rule has an open event."""
        return self.open_since is not None

    def restore(self, started_at: float, peak: JsonObject, severity: float) -> None:
        """Continue an event opened before a restart."""
        self.open_since = self._run_started = started_at
        self.peak, self.peak_severity = dict(peak), severity

    def step(self, at: float, reading: Reading) -> Transition | None:
        """Take one sample; returns the transition it causes, if any (none for a sample the
        rule cannot judge)."""
        if not reading.judged:
            return None
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
            return Transition("open", self.kind, self.zone, self._run_started, at, self.peak,
                              self.peak_severity)
        return None

    def _cooling(self, at: float) -> bool:
        return self._closed_at is not None and at - self._closed_at < self.timing.cooldown_s

    def _worsen(self, at: float, reading: Reading) -> Transition | None:
        if reading.severity <= self.peak_severity:
            return None
        self.peak_severity, self.peak = reading.severity, reading.values
        assert self.open_since is not None
        return Transition("update", self.kind, self.zone, self.open_since, at, self.peak,
                          self.peak_severity)

    def _clear(self) -> Transition | None:
        self._run_started = None
        if not self.is_open:
            return None
        assert self.open_since is not None and self._absent_since is not None
        transition = Transition("close", self.kind, self.zone, self.open_since,
                                self._absent_since, self.peak, self.peak_severity)
        self.open_since, self._closed_at = None, self._absent_since
        self._window.clear()
        return transition
