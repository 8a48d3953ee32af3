"""What ``proctor-edge check`` says about one stream: codec, size, frame rate and GOP.

An H.264 stream sent as is is read until its second keyframe, so its frame rate and keyframe
interval are measured from the camera's own timestamps. A raw stream is read for one frame;
its GOP and bitrate are the ones the agent will encode with (:mod:`edge_agent.encoding`).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import av

from edge_agent.config import CameraConfig
from edge_agent.encoding import FALLBACK_FPS, encoder_settings, gop_frames
from edge_agent.sources import SourceError, StreamInfo, open_source
from proctor.rtc.h264 import VIDEO_CLOCK_RATE

PROBE_LIMIT_S = 12.0


@dataclass(frozen=True)
class StreamReport:
    """One stream as ``check`` found it; ``gop_frames`` is None when no second keyframe came
    within the probe's limit, ``bitrate_kbps`` is set for raw streams (what we encode at)."""

    info: StreamInfo
    passthrough: bool
    fps: float | None
    gop_frames: int | None
    bitrate_kbps: int | None = None

    def describe(self) -> str:
        """One line for the operator, e.g. ``h264 1280x720, 25 fps, GOP 50 frames (2.0 s)``."""
        mode = "H.264 sent as is" if self.passthrough else "encoded once to H.264"
        kind = "packets" if self.passthrough else "videoframes"
        fps = f"{self.fps:.4g} fps" if self.fps else "frame rate unknown"
        if self.gop_frames is None:
            gop = f"GOP longer than {PROBE_LIMIT_S:.0f} s"
        else:
            seconds = f" ({self.gop_frames / self.fps:.1f} s)" if self.fps else ""
            gop = f"GOP {self.gop_frames} frames{seconds}"
        rate = f", {self.bitrate_kbps} kbit/s" if self.bitrate_kbps else ""
        size = f"{self.info.width}x{self.info.height}"
        return f"ok, {kind}, {mode}: {self.info.codec} {size}, {fps}, {gop}{rate}"


def probe(camera: CameraConfig, limit_s: float = PROBE_LIMIT_S) -> StreamReport:
    """Open ``camera.source`` once and report it; raises SourceError if it gives no video."""
    source = open_source(camera)
    items = source.items()
    try:
        first = next(items, None)
        if first is None or source.info is None:
            raise SourceError("no video")
        if isinstance(first, av.VideoFrame):
            settings = encoder_settings(first.width, first.height,
                                        source.info.fps or FALLBACK_FPS, camera.gop_seconds,
                                        camera.bitrate_kbps)
            return StreamReport(source.info, False, source.info.fps,
                                gop_frames(settings), settings.bitrate_kbps)
        deadline = time.monotonic() + limit_s
        pts = [first.pts or 0]
        keyframes = [0] if first.is_keyframe else []
        for packet in items:
            if isinstance(packet, av.VideoFrame):
                continue  # a pass-through source yields packets only
            pts.append(packet.pts or 0)
            if packet.is_keyframe:
                keyframes.append(len(pts) - 1)
            if len(keyframes) >= 2 or time.monotonic() > deadline:
                break
        steps = [b - a for a, b in itertools.pairwise(pts) if b > a]
        fps: float | None = VIDEO_CLOCK_RATE * len(steps) / sum(steps) if steps else None
        gop = keyframes[1] - keyframes[0] if len(keyframes) >= 2 else None
        return StreamReport(source.info, True, fps or source.info.fps, gop)
    finally:
        source.close()
