"""Which parts of a time window are recorded, and where the gaps are (pure functions)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Segments are cut at keyframes and stamped from two clocks; a hole shorter than this
# between consecutive segments is timestamp jitter, not missing footage.
DEFAULT_TOLERANCE_MS = 1000


@dataclass(frozen=True)
class Coverage:
    """Recorded intervals and gaps within ``[start_ms, end_ms)``."""

    start_ms: int
    end_ms: int
    intervals: list[tuple[int, int]]
    gaps: list[tuple[int, int]]

    @property
    def complete(self) -> bool:
        """The whole window is recorded."""
        return not self.gaps

    @property
    def recorded_ms(self) -> int:
        """Milliseconds of the window covered by footage."""
        return sum(end - start for start, end in self.intervals)


def coverage(spans: Iterable[tuple[int, int]], start_ms: int, end_ms: int,
             tolerance_ms: int = DEFAULT_TOLERANCE_MS) -> Coverage:
    """Merge segment ``(start, end)`` spans and list what is covered and missing in the window."""
    # hot: a camera has 1,440 segments in 4 hours; the open interval is kept in locals
    intervals: list[tuple[int, int]] = []
    low = high = start_ms
    is_open = False
    for span_start, span_end in sorted(spans):
        if span_start < start_ms:
            span_start = start_ms
        if span_end > end_ms:
            span_end = end_ms
        if span_end <= span_start:
            continue
        if is_open and span_start - high <= tolerance_ms:
            if span_end > high:
                high = span_end
            continue
        if is_open:
            intervals.append((low, high))
        low, high, is_open = span_start, span_end, True
    if is_open:
        intervals.append((low, high))
    gaps, cursor = [], start_ms
    for a, b in intervals:
        if a - cursor > tolerance_ms:
            gaps.append((cursor, a))
        cursor = b
    if end_ms - cursor > tolerance_ms:
        gaps.append((cursor, end_ms))
    return Coverage(start_ms, end_ms, intervals, gaps)
