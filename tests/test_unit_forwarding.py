"""Forwarding without a WebRTC peer: real libx264 access units go through a camera feed to
forwarded viewer tracks undecoded; a viewer starts from the cached GOP (restamped to end at
the newest frame); only keyframes are decoded unless a consumer needs every picture; the
per-viewer choice between forwarding and transcoding, with its reason."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from support.tracks import H264Camera as Camera
from support.tracks import QueueTrack, frame
from support.wait import wait_until

from proctor.media import forward
from proctor.media.delivery import choose_delivery
from proctor.media.feed import FeedRegistry, SourceInfo
from proctor.media.playback import PlaybackHub
from proctor.rtc.encoded import EncodedFrame, nal_units
from proctor.rtc.h264 import EncoderSettings, H264Encoder
from proctor.rtc.prepacked import ForwardedFrame
from proctor.rtc.tracks import PacketTrack

CAMERA = 5
GOP = 10


@pytest.fixture
async def feeds() -> AsyncIterator[FeedRegistry]:
    registry = FeedRegistry(offline_after_s=3.0)
    yield registry
    await registry.close()


@pytest.fixture
async def hub(feeds: FeedRegistry) -> AsyncIterator[PlaybackHub]:
    playback = PlaybackHub(feeds, EncoderSettings())
    yield playback
    await playback.close()


async def received(track: PacketTrack, count: int) -> list[tuple[bytes, int]]:
    """The next ``count`` forwarded frames: (access unit, the viewer's timestamp)."""
    items = [await asyncio.wait_for(track.recv(), 10) for _ in range(count)]
    assert all(isinstance(item, ForwardedFrame) for item in items)
    return [(item.frame.data, item.timestamp) for item in items]  # type: ignore[union-attr]


async def test_forwarded_viewers_get_the_camera_s_own_frames(
        feeds: FeedRegistry, hub: PlaybackHub) -> None:
    feed = feeds.get(CAMERA)
    camera = Camera(feed)
    first, second = hub.watch(CAMERA, forward=True), hub.watch(CAMERA, forward=True)
    assert (hub.encoder_count(), hub.forwarded_viewer_count(), hub.viewer_count(CAMERA)) == (
        0, 2, 2)
    camera.send(GOP + 3)  # a whole GOP, then the next one's keyframe and two frames
    await asyncio.sleep(0.2)
    # connected now: each starts from the cached GOP (keyframe + 2), then gets live frames
    start = await received(first, 3)
    assert [data for data, _ in start] == [f.data for f in camera.sent[GOP:]]
    assert [ts for _, ts in start] == [camera.sent[-1].timestamp - 90 * i for i in (2, 1, 0)]
    assert (await received(second, 3)) == start
    camera.send(2)
    assert (await received(first, 2)) == [(f.data, f.timestamp) for f in camera.sent[-2:]]
    assert feed.source is not None and feed.source.profile_level_id is not None
    assert feed.source.keyframe_interval_s == pytest.approx(GOP * 6000 / 90_000)
    # nobody needs every picture: only the two keyframes were decoded
    await asyncio.sleep(0.2)
    assert feed.decoder.frames_decoded == 2 and feed.latest_frame() is not None
    await hub.unwatch(CAMERA, first)
    await hub.unwatch(CAMERA, second)
    assert hub.forwarded_viewer_count() == 0


async def test_a_transcoding_viewer_makes_the_feed_decode_every_frame(
        feeds: FeedRegistry, hub: PlaybackHub) -> None:
    feed = feeds.get(CAMERA)
    camera = Camera(feed)
    camera.send(GOP + 2)
    viewer = hub.watch(CAMERA)  # the shared encoder subscribes to every picture
    await asyncio.sleep(0.2)
    camera.send(5)
    await asyncio.wait_for(viewer.recv(), 10)
    assert hub.encoder_count() == 1
    # keyframes 0 and 10 alone; then, once subscribed, the GOP caught up from keyframe 10
    # (frames 10-12), then each of frames 13-16
    assert await wait_until(lambda: feed.decoder.frames_decoded == 2 + 3 + 4, 10)


async def test_each_stream_of_a_camera_has_its_viewers_and_main_decodes_only_on_demand(
        feeds: FeedRegistry, hub: PlaybackHub) -> None:
    main_feed, sub_feed = feeds.publish(CAMERA, ["main", "sub"])
    assert sub_feed is feeds.get(CAMERA)  # the sub stream is the one analysed
    main, sub = Camera(main_feed), Camera(sub_feed)
    main_viewer = hub.watch(CAMERA, forward=True, stream="main")
    sub_viewer = hub.watch(CAMERA, forward=True, stream="sub")
    main.send(GOP + 1)
    sub.send(GOP + 1)
    await asyncio.sleep(0.2)
    assert [data for data, _ in await received(main_viewer, 1)] == [main.sent[GOP].data]
    assert [data for data, _ in await received(sub_viewer, 1)] == [sub.sent[GOP].data]
    assert hub.viewer_count(CAMERA) == 2
    # the sub stream's keyframes are decoded for analysis; the main stream's are not
    assert await wait_until(lambda: sub_feed.decoder.frames_decoded == 2, 10)
    assert main_feed.decoder.frames_decoded == 0 and main_feed.latest_frame() is None
    transcoded = hub.watch(CAMERA, stream="main")  # until a transcoded viewer needs pictures
    await asyncio.sleep(0.2)
    main.send(3)
    await asyncio.wait_for(transcoded.recv(), 10)
    assert main_feed.decoder.frames_decoded > 0 and hub.encoder_count() == 1
    assert hub.viewer_count(CAMERA) == 3


def source(level_id: str = "42c01f", b_frames: bool = False) -> SourceInfo:
    return SourceInfo(level_id, b_frames, 1.0)


def offer(*level_ids: str) -> str:
    lines = ["v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "t=0 0",
             "m=video 9 UDP/TLS/RTP/SAVPF " + " ".join(str(96 + i) for i in range(len(level_ids)))]
    for index, level_id in enumerate(level_ids):
        lines += [f"a=rtpmap:{96 + index} H264/90000",
                  f"a=fmtp:{96 + index} packetization-mode=1;profile-level-id={level_id}"]
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize(("offered", "camera", "forward", "reason"), [
    (("42e01f",), source(), True, "accepts the camera's PROFILE_CONSTRAINED_BASELINE"),
    (("640c1f",), source(), True, "PROFILE_CONSTRAINED_BASELINE"),  # High decodes it
    (("42e01f", "42001f"), source("640028"), False, "not the camera's PROFILE_HIGH"),
    (("640028",), source("640028"), True, "accepts the camera's PROFILE_HIGH"),
    (("42e01f",), source("4d401f"), False, "not the camera's PROFILE_MAIN"),
    (("42e01f",), source(b_frames=True), False, "B-frames"),
    (("42e01f",), None, False, "not known yet"),
])
def test_delivery_is_chosen_per_viewer(offered: tuple[str, ...], camera: SourceInfo | None,
                                       forward: bool, reason: str) -> None:
    delivery = choose_delivery(offer(*offered), camera, forwarding=True)
    assert delivery.forward is forward and reason in delivery.reason


def test_forwarding_can_be_switched_off() -> None:
    delivery = choose_delivery(offer("42e01f"), source(), forwarding=False)
    assert not delivery.forward and "PROCTOR_FORWARD_H264" in delivery.reason


async def test_a_new_publisher_s_clock_does_not_move_viewers_back(
        feeds: FeedRegistry, hub: PlaybackHub) -> None:
    feed = feeds.get(CAMERA)
    Camera(feed).send(GOP)
    viewer = hub.watch(CAMERA, forward=True)
    await asyncio.sleep(0.2)
    before = await received(viewer, 1)  # the cached GOP's keyframe
    await received(viewer, GOP - 1)
    replacement = Camera(feed)  # reconnected: its timestamps start again from 6000
    replacement.send(3)
    after = await received(viewer, 3)
    stamps = [ts for _, ts in before + after]
    assert stamps == sorted(stamps) and after[0][1] > before[0][1]
    assert [ts for _, ts in after] == [after[0][1] + 6000 * i for i in range(3)]


async def test_a_viewer_s_choice_can_wait_for_the_first_keyframe(feeds: FeedRegistry) -> None:
    feed = feeds.get(CAMERA)
    assert await feed.wait_source(0.05) is None  # nothing published: no wait past the limit
    camera = Camera(feed)
    waiting = asyncio.create_task(feed.wait_source(10))
    camera.send(1)
    found = await waiting
    assert found is not None and found.profile_level_id == feed.source.profile_level_id  # type: ignore[union-attr]


async def test_a_keyframe_without_its_sps_does_not_settle_the_choice(feeds: FeedRegistry) -> None:
    """A publisher's first keyframe can arrive without its parameter sets (seen with an MP4
    passed through): a viewer then waits for one that names the profile, instead of being
    transcoded for want of it."""
    feed = feeds.get(CAMERA)
    track = QueueTrack()
    feed.attach(track)
    encoder = H264Encoder(EncoderSettings(gop_seconds=GOP / 15))
    first = b"".join(bytes(p) for p in encoder.encode(frame(64, 48)))
    idr_only = b"".join(b"\x00\x00\x00\x01" + nal for nal in nal_units(first)
                        if nal[0] & 0x1F == 5)
    waiting = asyncio.create_task(feed.wait_source(10))
    track.queue.put_nowait(EncodedFrame.parse(idr_only, 6000))  # type: ignore[arg-type]
    assert await wait_until(lambda: feed.frames_received == 1, 5)
    await asyncio.sleep(0.05)
    assert not waiting.done()  # a keyframe, but no SPS: the profile is still unknown
    track.queue.put_nowait(EncodedFrame.parse(first, 12000))  # type: ignore[arg-type]
    found = await waiting
    assert found is not None and found.profile_level_id is not None


async def test_a_viewer_that_falls_behind_skips_to_a_keyframe(
        feeds: FeedRegistry, hub: PlaybackHub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forward, "BURST_GRACE_S", 0.0)  # (its GOP went out long ago)
    feed = feeds.get(CAMERA)
    camera = Camera(feed)
    camera.send(GOP)
    viewer = hub.watch(CAMERA, forward=True)
    await asyncio.sleep(0.2)
    await received(viewer, GOP)  # connected: the cached GOP
    camera.send(45)  # its sender takes nothing for 3 s of video
    assert await wait_until(lambda: feed.frames_received == GOP + 45, 10)
    assert viewer.backlog <= 31
    first = await asyncio.wait_for(viewer.recv(), 5)
    assert isinstance(first, ForwardedFrame)
    assert first.frame.keyframe  # the backlog was dropped; it resumed at a keyframe
