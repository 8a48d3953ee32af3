"""The one tap on aiortc's receiver: a publisher's H.264 access units, before any decoding.

aiortc's ``RTCRtpReceiver`` reassembles each RTP frame in its jitter buffer and puts
``(codec, JitterFrame)`` on a private queue read by a decoder thread, whose output feeds the
remote track. :func:`tap_encoded` replaces that queue, for one receiver, with one that hands
H.264 frames to the track as :class:`EncodedFrame` and still passes anything else (another
codec, the stop signal) to the decoder thread. The receiver's RTP, NACK and RTCP work as
before; only the decode is skipped. Two more changes make the tapped receiver cheaper and
prompter: a frame leaves the jitter buffer at its marker packet (proctor/rtc/jitter.py), not
one frame later; and no bandwidth estimate (REMB) is computed for the publisher, which sends
H.264 encoded already and has no use for one (aiortc's estimator cost more than the SRTP).

This relies on aiortc internals (the name-mangled ``__decoder_queue``, ``__decoder_thread``
and ``__remote_bitrate_estimator``, and the track's ``_queue``); :data:`TESTED_AIORTC` names
the versions where tests/test_rtc_encoded_tap.py proved it with a real peer pair, and
:func:`tap_encoded` refuses any other version.
"""

from __future__ import annotations

import queue
import time
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import aiortc
import av
from aiortc import RTCRtpReceiver
from aiortc.codecs.h264 import H264Encoder as _AiortcH264
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.sdp import H264Profile, parse_h264_profile_level_id

from proctor.rtc.h264 import VIDEO_TIME_BASE, H264Packet
from proctor.rtc.jitter import complete_frames_at_marker

TESTED_AIORTC = ("1.16.",)
"""aiortc versions (prefixes) whose receiver internals the tap was tested against."""

_NAL_IDR, _NAL_SPS, _NAL_SLICE = 5, 7, 1
_B_SLICE = 1  # slice_type % 5


class UnsupportedAiortc(RuntimeError):
    """The installed aiortc is not one the tap was tested against."""


@dataclass(frozen=True)
class EncodedFrame:
    """One H.264 access unit as the publisher sent it (Annex-B, start codes included)."""

    data: bytes
    timestamp: int  # 90 kHz RTP clock, from 0 at the receiver's first frame
    keyframe: bool  # holds an IDR slice
    received_at: float  # time.monotonic() when it was reassembled

    @classmethod
    def parse(cls, data: bytes, timestamp: int) -> EncodedFrame:
        """Wrap an access unit, reading its keyframe flag from the NAL unit types."""
        keyframe = any(nal[0] & 0x1F == _NAL_IDR for nal in nal_units(data) if nal)
        return cls(data, timestamp, keyframe, time.monotonic())

    @cached_property
    def payloads(self) -> list[bytes]:
        """Its RTP payloads as aiortc's sender cuts them (NAL units, FU-A fragments), cut
        once and shared by every viewer it is forwarded to (proctor/rtc/prepacked.py)."""
        return _AiortcH264._packetize(_AiortcH264._split_bitstream(self.data))

    def to_packet(self, timestamp: int | None = None) -> H264Packet:
        """An ``av.Packet`` aiortc sends without re-encoding (``timestamp`` overrides pts)."""
        packet = av.Packet(self.data)
        packet.pts = self.timestamp if timestamp is None else timestamp
        packet.time_base = VIDEO_TIME_BASE
        packet.is_keyframe = self.keyframe
        return packet


def nal_units(data: bytes) -> list[bytes]:
    """The NAL units of an Annex-B access unit, without their start codes."""
    units: list[bytes] = []
    start = data.find(b"\x00\x00\x01")
    while start != -1:
        begin = start + 3
        end = data.find(b"\x00\x00\x01", begin)
        unit = data[begin:] if end == -1 else data[begin:end]
        units.append(unit.rstrip(b"\x00") if end != -1 else unit)
        start = end
    return units


def has_picture(data: bytes) -> bool:
    """Whether the access unit starts a picture: a coded slice (NAL types 1-5) whose
    first_mb_in_slice is 0. Parameter sets, SEI, or the later slices of a picture that a
    camera sent under a timestamp of their own are not a new picture."""
    for nal in nal_units(data):
        if nal and 1 <= nal[0] & 0x1F <= _NAL_IDR:
            return _ExpGolomb(nal[1:8]).read_ue() == 0
    return False


def profile_level_id(data: bytes) -> str | None:
    """The ``profile-level-id`` (6 hex digits) of the first SPS in ``data``, if any."""
    for nal in nal_units(data):
        if len(nal) >= 4 and nal[0] & 0x1F == _NAL_SPS:
            return nal[1:4].hex()
    return None


def h264_profile(level_id: str) -> H264Profile | None:
    """The profile named by a ``profile-level-id``, or None if aiortc does not know it."""
    try:
        return parse_h264_profile_level_id(level_id)[0]
    except ValueError:
        return None


def has_b_slices(data: bytes) -> bool:
    """Whether the access unit holds a B slice (read from each slice header's slice_type)."""
    for nal in nal_units(data):
        if nal and nal[0] & 0x1F == _NAL_SLICE:
            reader = _ExpGolomb(nal[1:16].replace(b"\x00\x00\x03", b"\x00\x00"))
            reader.read_ue()  # first_mb_in_slice
            if reader.read_ue() % 5 == _B_SLICE:
                return True
    return False


class _ExpGolomb:
    """Reads unsigned Exp-Golomb codes from the front of a byte string (0 past its end)."""

    def __init__(self, data: bytes) -> None:
        self._bits = int.from_bytes(data, "big") if data else 0
        self._left = len(data) * 8

    def _bit(self) -> int:
        if self._left <= 0:
            return 1  # ends a malformed code quickly
        self._left -= 1
        return (self._bits >> self._left) & 1

    def read_ue(self) -> int:
        zeros = 0
        while self._bit() == 0 and zeros < 32:
            zeros += 1
        value = 0
        for _ in range(zeros):
            value = (value << 1) | self._bit()
        return (1 << zeros) - 1 + value


class _EncodedTap(queue.Queue[Any]):
    """Stands in for the receiver's decoder queue, which its decoder thread then reads:
    H.264 frames go to the track undecoded; other codecs and the stop signal are queued for
    the decoder thread as before."""

    def __init__(self, track: MediaStreamTrack) -> None:
        super().__init__()
        self._track_queue = track._queue  # type: ignore[attr-defined]

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        if item is not None:
            codec, jitter_frame = item
            if codec.name == "H264":  # runs on the event loop (_handle_rtp_packet)
                self._track_queue.put_nowait(
                    EncodedFrame.parse(jitter_frame.data, jitter_frame.timestamp))
                return
        super().put(item, block, timeout)


def tap_encoded(receiver: RTCRtpReceiver) -> None:
    """Make ``receiver.track`` yield :class:`EncodedFrame` for H.264 instead of decoded frames.

    Call once the remote description is applied (the receiver exists) and before the local
    one (which starts the receiver's decoder thread); frames of another codec are still
    decoded and yielded as ``av.VideoFrame``.
    """
    if not aiortc.__version__.startswith(TESTED_AIORTC):
        raise UnsupportedAiortc(
            f"aiortc {aiortc.__version__} is not one the encoded-frame tap was tested with "
            f"({', '.join(TESTED_AIORTC)}x): run tests/test_rtc_encoded_tap.py and update "
            "proctor/rtc/encoded.py")
    queue_name, thread_name = "_RTCRtpReceiver__decoder_queue", "_RTCRtpReceiver__decoder_thread"
    estimator_name = "_RTCRtpReceiver__remote_bitrate_estimator"
    current = getattr(receiver, queue_name, None)
    if (not isinstance(current, queue.Queue) or not hasattr(receiver.track, "_queue")
            or not hasattr(receiver, estimator_name)):
        raise UnsupportedAiortc("aiortc's receiver no longer has the decoder queue the tap uses")
    if isinstance(current, _EncodedTap):
        return
    if getattr(receiver, thread_name, None) is not None:
        raise RuntimeError("tap the receiver before setLocalDescription starts its decoder")
    complete_frames_at_marker(receiver)
    setattr(receiver, estimator_name, None)
    setattr(receiver, queue_name, _EncodedTap(receiver.track))


async def recv_media(track: MediaStreamTrack) -> EncodedFrame | av.VideoFrame:
    """The next item of a publisher's video track: an access unit if tapped, else a frame.

    Raises :class:`MediaStreamError` once the track has ended, like ``track.recv()``.
    """
    item = await track.recv()
    if isinstance(item, (EncodedFrame, av.VideoFrame)):
        return item
    raise MediaStreamError(f"unexpected {type(item).__name__} on the {track.kind} track")
