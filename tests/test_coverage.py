"""Recorded intervals and gaps in a time window: spans merge across jitter, real holes are
reported, and the window's edges are respected."""

from __future__ import annotations

import random

import pytest

from proctor.recording.coverage import DEFAULT_TOLERANCE_MS, coverage


def test_back_to_back_segments_cover_the_window() -> None:
    result = coverage([(0, 10_000), (10_000, 20_000), (20_000, 30_000)], 0, 30_000)
    assert result.complete and result.intervals == [(0, 30_000)] and result.recorded_ms == 30_000


def test_jitter_below_the_tolerance_is_not_a_gap() -> None:
    spans = [(0, 10_000), (10_000 + DEFAULT_TOLERANCE_MS, 20_000)]
    result = coverage(spans, 0, 20_000)
    assert result.complete and result.intervals == [(0, 20_000)]


def test_a_hole_just_over_the_tolerance_is_a_gap() -> None:
    spans = [(0, 10_000), (10_000 + DEFAULT_TOLERANCE_MS + 1, 20_000)]
    result = coverage(spans, 0, 20_000)
    assert result.gaps == [(10_000, 10_000 + DEFAULT_TOLERANCE_MS + 1)]
    assert result.intervals == [(0, 10_000), (11_001, 20_000)]
    assert result.recorded_ms == 20_000 - DEFAULT_TOLERANCE_MS - 1


def test_spans_are_clipped_to_the_window_and_order_does_not_matter() -> None:
    spans = [(25_000, 40_000), (-5_000, 12_000), (12_000, 25_000)]
    shuffled = spans[:]
    random.Random(4).shuffle(shuffled)
    for given in (spans, shuffled):
        result = coverage(given, 0, 30_000)
        assert result.intervals == [(0, 30_000)] and result.complete


def test_missing_start_and_end_are_gaps() -> None:
    result = coverage([(10_000, 20_000)], 0, 30_000)
    assert result.gaps == [(0, 10_000), (20_000, 30_000)]
    assert not result.complete and result.recorded_ms == 10_000


def test_nothing_recorded() -> None:
    result = coverage([], 1_000, 61_000)
    assert result.intervals == [] and result.gaps == [(1_000, 61_000)] and result.recorded_ms == 0


def test_spans_outside_or_empty_are_ignored() -> None:
    result = coverage([(-20, -10), (100, 100), (500, 400), (90_000, 99_000)], 0, 60_000)
    assert result.intervals == [] and result.gaps == [(0, 60_000)]


def test_overlapping_and_nested_spans_count_once() -> None:
    result = coverage([(0, 20_000), (5_000, 10_000), (15_000, 30_000)], 0, 30_000)
    assert result.intervals == [(0, 30_000)] and result.recorded_ms == 30_000


@pytest.mark.parametrize("tolerance", [0, 5_000])
def test_tolerance_is_a_parameter(tolerance: int) -> None:
    result = coverage([(0, 10_000), (12_000, 20_000)], 0, 20_000, tolerance_ms=tolerance)
    assert result.complete is (tolerance >= 2_000)


def test_an_empty_or_inverted_window_has_nothing_to_miss() -> None:
    assert coverage([(0, 10)], 50, 50).complete
    assert coverage([(0, 10)], 50, 40).intervals == []


def test_huge_epoch_values_stay_exact() -> None:
    base = 10**18
    result = coverage([(base, base + 10_000), (base + 10_000, base + 20_000)], base, base + 20_000)
    assert result.intervals == [(base, base + 20_000)] and result.recorded_ms == 20_000


def test_recorded_plus_gaps_never_exceed_the_window() -> None:
    rng = random.Random(9)
    for _ in range(200):
        spans = [(a, a + rng.randint(0, 15_000)) for a in
                 (rng.randint(-10_000, 120_000) for _ in range(rng.randint(0, 12)))]
        result = coverage(spans, 0, 100_000)
        gap_ms = sum(b - a for a, b in result.gaps)
        assert result.recorded_ms <= 100_000
        # gaps and intervals never overlap, and they are sorted
        edges = sorted(result.intervals + result.gaps)
        assert all(a < b for a, b in edges)
        assert all(edges[i][1] <= edges[i + 1][0] for i in range(len(edges) - 1))
        assert result.recorded_ms + gap_ms <= 100_000
