"""Camera feeds with an in-memory publisher track: every subscriber gets the newest frame and
a slow one skips, a reconnecting publisher keeps subscribers, a stale track cannot detach its
successor, and the status says online, size and rate."""

from __future__ import annotations

import asyncio

import pytest
from support.tracks import QueueTrack, frame
from support.wait import wait_until

from proctor.media.feed import CameraFeed, FeedRegistry


async def test_each_subscriber_gets_the_newest_frame_and_a_slow_one_skips() -> None:
    feed = CameraFeed(1)
    track = QueueTrack()
    fast, slow = feed.subscribe(), feed.subscribe()
    feed.attach(track)
    frames = [frame() for _ in range(3)]
    for index, item in enumerate(frames):
        track.queue.put_nowait(item)
        assert await asyncio.wait_for(fast.next_frame(), 5) is item
        assert feed.frames_received == index + 1
    assert await asyncio.wait_for(slow.next_frame(), 5) is frames[-1]
    assert (fast.skipped, slow.skipped) == (0, 2)
    assert feed.latest_frame() is frames[-1]
    await feed.close()


async def test_a_closed_subscription_gets_nothing_more() -> None:
    feed = CameraFeed(1)
    track = QueueTrack()
    gone, kept = feed.subscribe(), feed.subscribe()
    gone.close()
    gone.close()  # idempotent
    feed.attach(track)
    track.queue.put_nowait(frame())
    await asyncio.wait_for(kept.next_frame(), 5)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(gone.next_frame(), 0.05)
    await feed.close()


async def test_a_reconnecting_publisher_keeps_the_subscribers() -> None:
    feed = CameraFeed(2)
    subscription = feed.subscribe()
    first, second = QueueTrack(), QueueTrack()
    feed.attach(first)
    feed.attach(second)  # the agent reconnected before the old track ended
    first.queue.put_nowait(frame())  # the old track is no longer read
    latest = frame()
    second.queue.put_nowait(latest)
    assert await asyncio.wait_for(subscription.next_frame(), 5) is latest
    feed.detach(first)  # the old publisher's teardown arrives late: it must not stop the new
    newer = frame()
    second.queue.put_nowait(newer)
    assert await asyncio.wait_for(subscription.next_frame(), 5) is newer
    feed.detach(second)
    second.queue.put_nowait(frame())
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(subscription.next_frame(), 0.05)
    await feed.close()


async def test_a_track_that_ends_leaves_the_feed_waiting_for_the_next() -> None:
    feed = CameraFeed(3)
    track = QueueTrack()
    feed.attach(track)
    track.queue.put_nowait(None)
    await feed.close()
    assert feed.frames_received == 0 and feed.latest_frame() is None


async def test_status_says_online_size_and_rate_and_goes_offline() -> None:
    feed = CameraFeed(4, offline_after_s=0.2)
    status = feed.status()
    assert (status.online, status.width, status.height, status.fps,
            status.last_frame_age_s) == (False, None, None, 0.0, None)
    track = QueueTrack()
    feed.attach(track)
    for _ in range(4):
        track.queue.put_nowait(frame(64, 48))
    assert await wait_until(lambda: feed.frames_received == 4, timeout=5)
    status = feed.status()
    assert (status.online, status.width, status.height, status.frames_received) == \
        (True, 64, 48, 4)
    assert status.fps == 2.0  # four frames within the last 2 s
    assert await wait_until(lambda: not feed.status().online, timeout=5)
    age = feed.status().last_frame_age_s
    assert age is not None and age > 0.2
    await feed.close()


async def test_the_registry_makes_one_feed_per_camera_and_closes_them() -> None:
    registry = FeedRegistry(offline_after_s=1.0)
    feed = registry.get(5)
    assert registry.get(5) is feed and registry.get(6) is not feed
    assert feed.offline_after_s == 1.0
    track = QueueTrack()
    feed.attach(track)
    assert [camera for camera, _ in registry.items()] == [5, 6]
    await registry.close()
    assert registry.items() == []
    track.queue.put_nowait(frame())
    await asyncio.sleep(0)
    assert feed.frames_received == 0
