"""A camera's people counts over time (pure): the count the rules read is the median of the
latest analysed samples, not one frame's, so a detector that misses or doubles a person in
one frame does not move it.

Each analysed sample in which the room can be seen adds its counts (everyone, and the people
in each zone) to a short window: the last :attr:`CountFusion.samples` samples no older than
:attr:`CountFusion.max_age_s`. The fused count is the median of the window; with an even
number of samples (while the window fills) the lower middle value. ``samples=1`` counts each
sample on its own (what ``proctor eval scenarios`` compares against).
"""

from __future__ import annotations

import statistics
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field


class CountFusion(BaseModel):
    """How many samples a camera's counts are taken over (``PROCTOR_ANALYSIS_COUNTING``)."""

    model_config = ConfigDict(extra="forbid")

    samples: int = Field(default=5, ge=1, le=31,
                         description="median over this many latest analysed samples; "
                                     "1: each sample on its own")
    max_age_s: float = Field(default=10.0, gt=0,
                             description="samples older than this are left out of the median")


@dataclass(frozen=True)
class Counts:
    """People counted in a camera's picture: everyone, and by zone name."""

    people: int
    zones: Mapping[str, int] = field(default_factory=dict)


class CountWindow:
    """One camera's latest counts and their median."""

    def __init__(self, fusion: CountFusion) -> None:
        self.fusion = fusion
        self._samples: deque[tuple[float, Counts]] = deque(maxlen=fusion.samples)

    def add(self, at: float, counts: Counts) -> Counts:
        """Take the counts of the sample at ``at`` (epoch seconds); returns the fused counts."""
        self._samples.append((at, counts))
        while self._samples and at - self._samples[0][0] > self.fusion.max_age_s:
            self._samples.popleft()
        return self.fused()

    def fused(self) -> Counts:
        """The median of the window (zero people while it is empty)."""
        window = [counts for _, counts in self._samples]
        if not window:
            return Counts(0)
        names = {name for counts in window for name in counts.zones}
        return Counts(_median([c.people for c in window]),
                      {name: _median([c.zones[name] for c in window if name in c.zones])
                       for name in sorted(names)})


def _median(values: list[int]) -> int:
    return int(statistics.median_low(values))
