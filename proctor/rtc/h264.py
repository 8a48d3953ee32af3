"""H.264 for WebRTC: a low-latency encoder that yields packets, and codec preference helpers.

aiortc sends an ``av.Packet`` without re-encoding when the negotiated codec is H.264, so both
the edge agent (raw sources) and the server's shared playback encoder encode here, once, and
hand packets to as many peers as needed.
"""

from __future__ import annotations

import fractions
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

import av
from aiortc import RTCRtpSender, RTCRtpTransceiver
from aiortc.rtcrtpparameters import RTCRtpCodecCapability

if TYPE_CHECKING:
    from av.stream import Stream
    from av.video.stream import VideoStream

VIDEO_CLOCK_RATE = 90_000
VIDEO_TIME_BASE = fractions.Fraction(1, VIDEO_CLOCK_RATE)

# A string: PyAV's Packet is generic only in its stubs, not subscriptable at run time.
H264Packet: TypeAlias = "av.Packet[VideoStream] | av.Packet[Stream]"
"""An Annex-B H.264 packet as the live and recording paths pass it on: demuxed from a camera's
video stream, or encoded or built from bytes (PyAV types those as packets of any stream).
``Packet`` is invariant in its stream (``packet.stream`` is writable), hence the union."""


@dataclass(frozen=True)
class EncoderSettings:
    """libx264 settings tuned for live view: no B-frames, no lookahead, short GOP."""

    preset: str = "ultrafast"
    bitrate_kbps: int = 2500
    gop_seconds: float = 1.0
    nominal_fps: int = 15


class H264Encoder:
    """Encode frames to Annex-B H.264 packets stamped in the 90 kHz RTP clock.

    Not thread-safe; one owner calls :meth:`encode`, possibly from a worker thread.
    The codec is re-created when the frame size changes (a camera reconnecting at
    another resolution).
    """

    def __init__(self, settings: EncoderSettings = EncoderSettings()) -> None:
        self.settings = settings
        self._codec: av.VideoCodecContext | None = None
        self._start = time.monotonic()
        self._last_pts = -1

    def _open(self, width: int, height: int) -> av.VideoCodecContext:
        codec = av.CodecContext.create("libx264", "w")
        codec.width = width
        codec.height = height
        codec.pix_fmt = "yuv420p"
        codec.time_base = VIDEO_TIME_BASE
        codec.framerate = fractions.Fraction(self.settings.nominal_fps, 1)
        codec.bit_rate = self.settings.bitrate_kbps * 1000
        codec.gop_size = max(1, round(self.settings.gop_seconds * self.settings.nominal_fps))
        codec.max_b_frames = 0
        codec.profile = "Baseline"
        codec.options = {
            "preset": self.settings.preset,
            "tune": "zerolatency",
            "x264-params": (
                f"vbv-maxrate={self.settings.bitrate_kbps}:"
                f"vbv-bufsize={self.settings.bitrate_kbps}:repeat-headers=1"
            ),
        }
        codec.open()
        return codec

    def encode(self, frame: av.VideoFrame, force_keyframe: bool = False) -> list[H264Packet]:
        """Encode one frame now; the packet timestamp is the encode time on the 90 kHz clock.

        The frame's ``pts``, ``time_base`` and ``pict_type`` are overwritten: consumers that
        share decoded frames must not rely on those fields.
        """
        if frame.width % 2 or frame.height % 2:  # libx264 refuses odd sizes (yuv420p)
            frame = frame.reformat(width=frame.width - frame.width % 2,
                                   height=frame.height - frame.height % 2)
        if self._codec is None or (frame.width, frame.height) != (
            self._codec.width,
            self._codec.height,
        ):
            self._codec = self._open(frame.width, frame.height)
            force_keyframe = True
        if frame.format.name != "yuv420p":
            frame = frame.reformat(format="yuv420p")
        pts = int((time.monotonic() - self._start) * VIDEO_CLOCK_RATE)
        pts = max(pts, self._last_pts + 1)
        self._last_pts = pts
        frame.pts = pts
        frame.time_base = VIDEO_TIME_BASE
        frame.pict_type = (
            av.video.frame.PictureType.I if force_keyframe else av.video.frame.PictureType.NONE
        )
        packets = list(self._codec.encode(frame))
        for packet in packets:
            packet.time_base = VIDEO_TIME_BASE
        return packets


def h264_capabilities() -> list[RTCRtpCodecCapability]:
    """The H.264 codecs aiortc can send (plus their retransmission codec)."""
    codecs = RTCRtpSender.getCapabilities("video").codecs
    return [c for c in codecs if c.mimeType.lower() in ("video/h264", "video/rtx")]


def prefer_h264(transceiver: RTCRtpTransceiver) -> None:
    """Restrict a video transceiver to H.264, which is what packet pass-through needs."""
    transceiver.setCodecPreferences(h264_capabilities())


def offers_h264(sdp: str) -> bool:
    """Whether an SDP offer lists H.264 among its video payloads."""
    return "H264/90000" in sdp.upper()
