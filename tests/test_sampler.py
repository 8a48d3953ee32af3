"""Sampling: each publishing camera's newest frame once per round, unanalysed samples
replaced (and counted), idle cameras skipped, a steady pace whatever a round costs, and the
cameras spread over the period."""

from __future__ import annotations

import asyncio

import av
import numpy as np
import pytest

from proctor.media.feed import FeedRegistry
from proctor.vision.sampler import AnalyzerStats, Sampler


def frame() -> av.VideoFrame:
    return av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="bgr24")


def deliver(feeds: FeedRegistry, camera_id: int) -> av.VideoFrame:
    picture = frame()
    feeds.get(camera_id)._deliver(picture)  # what the feed does with each decoded frame
    return picture


async def test_a_round_samples_publishing_and_continued_cameras_only() -> None:
    feeds, stats = FeedRegistry(3.0), AnalyzerStats()
    first = deliver(feeds, 1)
    feeds.get(2)  # never published, no open events: idle
    feeds.get(3)  # never published, but has an event open since before a restart
    sampler = Sampler(feeds, fps=1, stats=stats, continued={3})
    sampler.take(100.0)
    batch = await sampler.next_batch()
    assert sorted(batch) == [1, 3]
    assert batch[1].frame is first and batch[1].at == 100.0
    assert batch[3].frame is None  # no picture: the stream_lost rule judges it
    sampler.take(101.0)  # no new frame from camera 1 since the last sample
    assert (await sampler.next_batch())[1].frame is None
    assert stats.samples == 4 and stats.dropped == 0


async def test_a_sample_not_yet_analysed_is_replaced_and_keeps_its_picture() -> None:
    feeds, stats = FeedRegistry(3.0), AnalyzerStats()
    picture = deliver(feeds, 1)
    sampler = Sampler(feeds, fps=1, stats=stats)
    sampler.take(1.0)
    sampler.take(2.0)  # inference did not take the first: it is dropped, not its picture
    batch = await sampler.next_batch()
    assert batch[1].at == 2.0 and batch[1].frame is picture and stats.dropped == 1
    newer = deliver(feeds, 1)
    sampler.take(3.0)
    sampler.take(4.0)
    assert (await sampler.next_batch())[1].frame is newer and stats.dropped == 2


async def test_the_pace_subtracts_the_time_a_round_takes() -> None:
    deliver(feeds := FeedRegistry(3.0), 1)
    sampler = Sampler(feeds, fps=4, stats=AnalyzerStats(), slots=1)
    now = [0.0]
    delays: list[float] = []

    def clock() -> float:
        now[0] += 0.1  # every look at the clock: a round costs 0.1 s
        return now[0]

    async def sleep(seconds: float) -> None:
        delays.append(seconds)
        if len(delays) == 3:
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await sampler.run(sleep=sleep, clock=clock, wall_clock=lambda: 50.0)
    assert delays == pytest.approx([0.15, 0.15, 0.15])  # 0.25 s period minus 0.1 s of work
    assert sampler.stats.samples == 3


async def test_cameras_are_spread_over_the_period_each_sampled_once() -> None:
    feeds = FeedRegistry(3.0)
    for camera_id in range(1, 9):
        deliver(feeds, camera_id)
    sampler = Sampler(feeds, fps=1, stats=AnalyzerStats())
    assert sampler.slots == 10  # ticks of 0.1 s
    now = [0.0]
    delays: list[float] = []
    batches: list[list[int]] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)
        now[0] += seconds
        if sampler._pending:  # what this tick sampled, taken as inference would
            batches.append(sorted(await sampler.next_batch()))
        if len(delays) == 20:
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await sampler.run(sleep=sleep, clock=lambda: now[0], wall_clock=lambda: now[0])
    assert delays == pytest.approx([0.1] * 20)
    assert batches == [[c] for c in range(1, 9)] * 2  # one camera a tick, each once a period
    assert sampler.stats.samples == 16 and sampler.stats.dropped == 0
