"""The shared playback encoders with an in-memory publisher track and real libx264 (small
frames): one encoder per watched camera, shared by its viewers; every viewer's first packet
is a keyframe, also for one who joins mid-stream; a frame that fails to encode is skipped;
the encoder stops with its last viewer. No WebRTC peer, no server."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from support.tracks import QueueTrack, frame
from support.wait import wait_until

from proctor.media.feed import FeedRegistry
from proctor.media.playback import PlaybackHub
from proctor.rtc.h264 import EncoderSettings, H264Encoder, H264Packet
from proctor.rtc.tracks import PacketTrack

CAMERA = 3


@pytest.fixture
async def feeds() -> AsyncIterator[FeedRegistry]:
    registry = FeedRegistry(offline_after_s=3.0)
    yield registry
    await registry.close()


@pytest.fixture
async def hub(feeds: FeedRegistry) -> AsyncIterator[PlaybackHub]:
    playback = PlaybackHub(feeds, EncoderSettings(gop_seconds=60.0))  # keyframes only on demand
    yield playback
    await playback.close()


@pytest.fixture
async def camera(feeds: FeedRegistry) -> QueueTrack:
    track = QueueTrack()
    feeds.get(CAMERA).attach(track)
    return track


async def next_packets(viewer: PacketTrack, camera: QueueTrack,
                       count: int) -> list[H264Packet]:
    """Send frames until ``viewer`` has received ``count`` packets; those packets."""
    received: list[H264Packet] = []

    async def receive() -> None:
        while len(received) < count:
            received.append(await viewer.recv())

    def send() -> bool:
        camera.queue.put_nowait(frame(64, 48))
        return receiving.done()

    receiving = asyncio.create_task(receive())
    try:
        assert await wait_until(send, timeout=30, interval=0.02)
    finally:
        receiving.cancel()
    return received


async def test_viewers_of_a_camera_share_one_encoder(hub: PlaybackHub,
                                                     camera: QueueTrack) -> None:
    assert (hub.encoder_count(), hub.viewer_count(CAMERA)) == (0, 0)
    first, second = hub.watch(CAMERA), hub.watch(CAMERA)
    assert (hub.encoder_count(), hub.viewer_count(CAMERA)) == (1, 2)
    hub.watch(CAMERA + 1)
    assert hub.encoder_count() == 2 and hub.viewer_count(CAMERA + 1) == 1
    packets = await next_packets(first, camera, 3)
    assert await asyncio.wait_for(second.recv(), 10) is not None  # the same encode
    assert packets[0].is_keyframe and not first.needs_keyframe


async def test_a_viewer_joining_mid_stream_starts_at_a_keyframe(hub: PlaybackHub,
                                                                camera: QueueTrack) -> None:
    early = hub.watch(CAMERA)
    assert [p.is_keyframe for p in await next_packets(early, camera, 4)][1:] == [False] * 3
    late = hub.watch(CAMERA)
    assert late.needs_keyframe
    assert (await next_packets(late, camera, 1))[0].is_keyframe  # forced for it


async def test_the_encoder_stops_with_its_last_viewer(hub: PlaybackHub,
                                                      camera: QueueTrack) -> None:
    first, second = hub.watch(CAMERA), hub.watch(CAMERA)
    await next_packets(first, camera, 1)
    await hub.unwatch(CAMERA, first)
    assert first.readyState == "ended" and second.readyState == "live"
    assert (hub.encoder_count(), hub.viewer_count(CAMERA)) == (1, 1)
    await hub.unwatch(CAMERA, second)
    assert (hub.encoder_count(), hub.viewer_count(CAMERA)) == (0, 0)
    await hub.unwatch(CAMERA, second)  # again, and for a camera nobody watches: no error
    await hub.unwatch(CAMERA + 9, PacketTrack())
    again = hub.watch(CAMERA)  # a new viewer starts a new encoder
    assert (await next_packets(again, camera, 1))[0].is_keyframe


async def test_closing_the_hub_ends_every_viewer(hub: PlaybackHub) -> None:
    viewers = [hub.watch(CAMERA), hub.watch(CAMERA), hub.watch(CAMERA + 1)]
    await hub.close()
    assert hub.encoder_count() == 0
    assert {viewer.readyState for viewer in viewers} == {"ended"}


async def test_a_frame_that_fails_to_encode_is_skipped(
        hub: PlaybackHub, camera: QueueTrack, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    encode = H264Encoder.encode
    failures = iter([True, True])

    def flaky(self: H264Encoder, *args: object, **kwargs: object) -> list[H264Packet]:
        if next(failures, False):
            raise ValueError("odd frame")
        return encode(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(H264Encoder, "encode", flaky)
    viewer = hub.watch(CAMERA)
    with caplog.at_level(logging.ERROR, "proctor.media.playback"):
        packets = await next_packets(viewer, camera, 2)
    assert caplog.text.count("playback encode failed; skipping the frame") == 2
    assert packets[0].is_keyframe  # the keyframe still comes first
