"""The encoded-frame tap on aiortc's receiver, pinned: a real peer pair on loopback sends
libx264 packets; the tapped receiver's track yields exactly those access units (bytes,
keyframe flags, timestamp steps) and nothing is decoded. Fails if aiortc changes under it."""

from __future__ import annotations

import asyncio
import fractions
import time
from collections.abc import AsyncIterator, Callable

import aiortc
import av
import numpy as np
import pytest
from aiortc import RTCPeerConnection, RTCRtpSender
from aiortc.rtp import RtpPacket, is_rtcp

from proctor.rtc.encoded import (
    TESTED_AIORTC,
    EncodedFrame,
    UnsupportedAiortc,
    has_b_slices,
    nal_units,
    profile_level_id,
    recv_media,
    tap_encoded,
)
from proctor.rtc.h264 import EncoderSettings, H264Encoder, prefer_h264
from proctor.rtc.ice import build_rtc_configuration
from proctor.rtc.jitter import MarkerJitterBuffer
from proctor.rtc.prepacked import ForwardedFrame, send_prepacked
from proctor.rtc.tracks import PacketTrack


def picture(index: int, width: int = 320, height: int = 240) -> av.VideoFrame:
    """A moving gradient, so P-frames carry data."""
    row = (np.arange(width, dtype=np.uint16) + index * 8) % 256
    return av.VideoFrame.from_ndarray(np.tile(row.astype(np.uint8), (height, 1)), format="gray")


@pytest.fixture
async def pair() -> AsyncIterator[tuple[RTCPeerConnection, RTCPeerConnection]]:
    sender = RTCPeerConnection(build_rtc_configuration([]))
    receiver = RTCPeerConnection(build_rtc_configuration([]))
    yield sender, receiver
    await sender.close()
    await receiver.close()


async def connect(sender: RTCPeerConnection, receiver: RTCPeerConnection, source: PacketTrack,
                  prepacked: Callable[[float], None] | bool = False,
                  ) -> tuple[RTCRtpSender, aiortc.mediastreams.MediaStreamTrack]:
    """Connect the pair, ``source`` sent to a tapped receiver: the sender and the receiving
    track. With ``prepacked``, the sender is given send_prepacked (a callable: its on_sent)."""
    transceiver = sender.addTransceiver(source, direction="sendonly")
    prefer_h264(transceiver)
    if prepacked:
        send_prepacked(transceiver.sender, None if prepacked is True else prepacked)
    await sender.setLocalDescription(await sender.createOffer())
    await receiver.setRemoteDescription(sender.localDescription)
    (receiving,) = receiver.getTransceivers()
    tap_encoded(receiving.receiver)
    await receiver.setLocalDescription(await receiver.createAnswer())
    await sender.setRemoteDescription(receiver.localDescription)
    return transceiver.sender, receiving.receiver.track


async def test_tapped_receiver_yields_the_sent_access_units(
        pair: tuple[RTCPeerConnection, RTCPeerConnection]) -> None:
    assert aiortc.__version__.startswith(TESTED_AIORTC)
    source = PacketTrack(max_queue=300)
    _, track = await connect(*pair, source)
    encoder = H264Encoder(EncoderSettings(gop_seconds=5 / 15))  # a keyframe every 5 frames
    sent: list[bytes] = []
    stamps: list[int] = []

    async def feed() -> None:
        for index in range(40):
            for packet in encoder.encode(picture(index)):
                sent.append(bytes(packet))
                stamps.append(int(packet.pts or 0))
                source.push(packet)
            await asyncio.sleep(1 / 30)

    feeding = asyncio.create_task(feed())
    received: list[EncodedFrame] = []
    while len(received) < 30:
        item = await asyncio.wait_for(recv_media(track), 20)
        assert isinstance(item, EncodedFrame), "the tap let aiortc decode the frame"
        received.append(item)
    await feeding
    # aiortc may lose the very first frames while connecting; the rest arrive whole, in order
    # (aiortc's depayloader writes 4-byte start codes: compare NAL units)
    units = [nal_units(data) for data in sent]
    offset = units.index(nal_units(received[0].data))
    assert [nal_units(frame.data) for frame in received] == units[offset:offset + len(received)]
    assert [frame.keyframe for frame in received] == [
        EncodedFrame.parse(data, 0).keyframe for data in sent[offset:offset + len(received)]]
    assert sum(frame.keyframe for frame in received) >= 5
    steps = [b.timestamp - a.timestamp for a, b in zip(received, received[1:], strict=False)]
    sent_steps = [b - a for a, b in zip(stamps[offset:], stamps[offset + 1:], strict=False)]
    assert steps == sent_steps[:len(steps)]
    keyframe = next(frame for frame in received if frame.keyframe)
    assert profile_level_id(keyframe.data) is not None
    assert profile_level_id(keyframe.data)[:2] == "42"  # type: ignore[index]  # Baseline
    assert not any(has_b_slices(frame.data) for frame in received)


async def test_other_codecs_are_still_decoded(
        pair: tuple[RTCPeerConnection, RTCPeerConnection]) -> None:
    sender, receiver = pair
    sender.addTransceiver(aiortc.VideoStreamTrack(), direction="sendonly")  # VP8 by default
    await sender.setLocalDescription(await sender.createOffer())
    await receiver.setRemoteDescription(sender.localDescription)
    (transceiver,) = receiver.getTransceivers()
    transceiver.setCodecPreferences([
        c for c in aiortc.RTCRtpSender.getCapabilities("video").codecs
        if c.mimeType.lower() in ("video/vp8", "video/rtx")])
    tap_encoded(transceiver.receiver)
    await receiver.setLocalDescription(await receiver.createAnswer())
    await sender.setRemoteDescription(receiver.localDescription)
    item = await asyncio.wait_for(recv_media(transceiver.receiver.track), 20)
    assert isinstance(item, av.VideoFrame)


def test_b_slices_are_recognised() -> None:
    codec = av.CodecContext.create("libx264", "w")
    codec.width, codec.height, codec.pix_fmt = 320, 240, "yuv420p"
    codec.time_base = fractions.Fraction(1, 15)
    codec.max_b_frames = 2
    codec.options = {"preset": "ultrafast", "bframes": "2"}  # ultrafast alone has none
    codec.open()
    data = []
    for index in range(20):
        frame = picture(index).reformat(format="yuv420p")
        frame.pts = index
        data += [bytes(packet) for packet in codec.encode(frame)]
    data += [bytes(packet) for packet in codec.encode(None)]
    assert any(has_b_slices(unit) for unit in data)
    assert profile_level_id(data[0]) is not None and profile_level_id(data[0]) != "42"


async def test_an_untested_aiortc_is_refused(
        pair: tuple[RTCPeerConnection, RTCPeerConnection], monkeypatch: pytest.MonkeyPatch) -> None:
    receiver = pair[1].addTransceiver("video", direction="recvonly").receiver
    monkeypatch.setattr(aiortc, "__version__", "9.0.0")
    with pytest.raises(UnsupportedAiortc, match="9.0.0"):
        tap_encoded(receiver)


def rtp(sequence: int, timestamp: int, marker: bool = False) -> RtpPacket:
    packet = RtpPacket(sequence_number=sequence, timestamp=timestamp, marker=int(marker))
    packet._data = bytes([sequence % 256])  # type: ignore[attr-defined]  # as depayloaded
    return packet


def test_a_frame_leaves_the_jitter_buffer_at_its_marker_packet() -> None:
    buffer = MarkerJitterBuffer()
    added = [buffer.add(rtp(seq, ts, marker))[1] for seq, ts, marker in [
        (10, 1000, False), (11, 1000, False), (12, 1000, True),  # a whole frame, in order
        (13, 2000, False), (15, 2000, True), (14, 2000, False),  # one packet late (a NACK)
        (16, 3000, False), (17, 3000, False), (18, 4000, False),  # a sender without markers
    ]]
    frames = [(i, f.timestamp, f.data) for i, f in enumerate(added) if f is not None]
    assert frames == [(2, 1000, bytes([10, 11, 12])), (5, 2000, bytes([13, 14, 15])),
                      (8, 3000, bytes([16, 17]))]


async def test_forwarded_frames_are_sent_prepacked_and_received_at_once(
        pair: tuple[RTCPeerConnection, RTCPeerConnection]) -> None:
    """A frame reaches the tapped receiver without waiting for the next one (aiortc's own
    jitter buffer holds each frame until the next frame's first packet), and a sender given
    send_prepacked sends the access units' shared payloads and reports the server's time."""
    source = PacketTrack(max_queue=300)
    delays: list[float] = []
    _, track = await connect(*pair, source, delays.append)
    encoder = H264Encoder(EncoderSettings(gop_seconds=1 / 15))  # every frame a keyframe
    waits: list[float] = []
    for index in range(12):
        (packet,) = encoder.encode(picture(index))
        frame = EncodedFrame.parse(bytes(packet), int(packet.pts or 0))
        source.push(ForwardedFrame(frame, frame.timestamp))
        try:  # the first frames may be lost while the connection comes up
            item = await asyncio.wait_for(recv_media(track), 2 if waits else 10)
        except TimeoutError:
            continue
        waits.append(time.monotonic() - frame.received_at)
        assert isinstance(item, EncodedFrame) and nal_units(item.data) == nal_units(frame.data)
        assert len(frame.payloads) > 1  # cut once, into several RTP packets
    assert len(waits) >= 8 and max(waits) < 1.0  # not held back until a next frame came
    assert len(delays) >= len(waits) and all(0 <= d < 1.0 for d in delays)


async def test_a_forwarded_packet_reported_lost_is_retransmitted(
        pair: tuple[RTCPeerConnection, RTCPeerConnection]) -> None:
    """The forwarding loop answers a NACK from its own history (over RTX, as negotiated) and
    keeps the counts aiortc's sender reports and stats are made of: one packet of a frame
    lost on the wire still reaches the receiver, and the frame arrives whole."""
    source = PacketTrack(max_queue=300)
    rtp_sender, track = await connect(*pair, source, prepacked=True)
    encoder = H264Encoder(EncoderSettings(gop_seconds=1 / 15))
    frames = []
    for index in range(16):
        (packet,) = encoder.encode(picture(index))
        frames.append(EncodedFrame.parse(bytes(packet), index * 6000))
    source.push(ForwardedFrame(frames[0], frames[0].timestamp))
    await asyncio.wait_for(recv_media(track), 10)  # connected

    dtls = rtp_sender.transport
    send_rtp, dropped = dtls._send_rtp, list[bytes]()

    async def lose_one(data: bytes) -> None:  # the first RTP packet that does not end a frame
        if not dropped and not is_rtcp(data) and not data[1] & 0x80:
            dropped.append(data)
            return
        await send_rtp(data)

    dtls._send_rtp = lose_one  # type: ignore[method-assign]
    stats_before = await _packets_sent(rtp_sender)

    async def feed() -> None:  # live pace: the jitter buffer hands on a frame per packet
        for frame in frames[1:]:
            source.push(ForwardedFrame(frame, frame.timestamp))
            await asyncio.sleep(1 / 30)

    feeding = asyncio.create_task(feed())
    got = [await asyncio.wait_for(recv_media(track), 10) for _ in range(8)]
    await feeding
    assert dropped, "no packet was dropped"
    assert [nal_units(item.data) for item in got if isinstance(item, EncodedFrame)] == [
        nal_units(frame.data) for frame in frames[1:9]]
    sent = sum(len(frame.payloads) for frame in frames[1:])
    deadline = time.monotonic() + 10  # the last frames may still be queued
    while await _packets_sent(rtp_sender) - stats_before < sent and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert await _packets_sent(rtp_sender) - stats_before == sent


async def _packets_sent(sender: RTCRtpSender) -> int:
    """What the sender's stats (and so its RTCP sender reports) count as sent."""
    report = await sender.getStats()
    return sum(stats.packetsSent for stats in report.values() if stats.type == "outbound-rtp")


async def test_a_sender_without_the_state_the_loop_uses_is_refused(
        pair: tuple[RTCPeerConnection, RTCPeerConnection]) -> None:
    """send_prepacked checks aiortc's sender before replacing its RTP loop."""
    sender = pair[0].addTransceiver(PacketTrack(), direction="sendonly").sender
    del sender._RTCRtpSender__rtx_sequence_number  # type: ignore[attr-defined]
    with pytest.raises(UnsupportedAiortc, match="rtx_sequence_number"):
        send_prepacked(sender)
