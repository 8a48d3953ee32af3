"""PacketTrack: a bounded queue between a producer and aiortc's sender. A slow consumer loses
the backlog (not the newest packet) and the producer is told to send a keyframe; a stopped
track wakes its reader and refuses new packets."""

from __future__ import annotations

import asyncio

import av
import pytest
from aiortc.mediastreams import MediaStreamError, VideoStreamTrack

from proctor.rtc.tracks import PacketTrack, recv_video_frame


def packet(marker: int) -> av.Packet:
    item = av.Packet(bytes([0, 0, 0, 1, marker]))
    item.pts = marker
    return item


async def test_packets_come_out_in_order() -> None:
    track = PacketTrack(max_queue=5)
    for marker in range(3):
        track.push(packet(marker))
    assert [(await track.recv()).pts for _ in range(3)] == [0, 1, 2]


async def test_overflow_drops_the_backlog_keeps_the_newest_and_asks_for_a_keyframe() -> None:
    track = PacketTrack(max_queue=3)
    track.needs_keyframe = False  # the producer sent one already
    for marker in range(3):
        track.push(packet(marker))
    assert not track.needs_keyframe
    track.push(packet(3))  # the consumer fell behind
    assert track.needs_keyframe
    assert (await track.recv()).pts == 3
    track.push(packet(4))
    assert (await track.recv()).pts == 4


async def test_a_new_track_asks_for_a_keyframe() -> None:
    assert PacketTrack().needs_keyframe


async def test_stop_wakes_a_waiting_reader() -> None:
    track = PacketTrack()
    reader = asyncio.ensure_future(track.recv())
    await asyncio.sleep(0)  # let the reader wait on the empty queue
    track.stop()
    with pytest.raises(MediaStreamError):
        await asyncio.wait_for(reader, 5)


async def test_stop_on_a_full_queue_still_ends_the_track() -> None:
    track = PacketTrack(max_queue=2)
    track.push(packet(1))
    track.push(packet(2))
    track.stop()
    track.stop()  # idempotent
    assert track.readyState == "ended"
    with pytest.raises(MediaStreamError):
        await track.recv()


async def test_an_ended_track_ignores_pushes() -> None:
    track = PacketTrack()
    track.stop()
    track.push(packet(1))
    with pytest.raises(MediaStreamError):
        await track.recv()


async def test_recv_video_frame_accepts_frames_and_refuses_packets() -> None:
    source = VideoStreamTrack()  # aiortc's own green test pattern
    frame = await recv_video_frame(source)
    assert isinstance(frame, av.VideoFrame) and frame.width > 0
    source.stop()

    packets = PacketTrack()
    packets.push(packet(7))
    with pytest.raises(TypeError, match="expected a decoded video frame .* got Packet"):
        await recv_video_frame(packets)
