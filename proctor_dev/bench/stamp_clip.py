"""A pre-encoded clip whose frames carry their index in the pixels, for ``bench live --clip``.

On 2 cores the bench's own encoder cannot make 16 cameras of 720p15 live. Instead the clip
is encoded once (cached under ``var/bench-clips``, keyed by its parameters) and every camera
publishes it through the agent's H.264 pass-through (a looping file source). The agent logs
each frame's send time (:mod:`edge_agent.send_log`); a viewer reads the index back and the
latency is its arrival time minus the latest send of that index, which is unambiguous while
latency stays under the clip's length.
"""

from __future__ import annotations

import bisect
import os
from collections import defaultdict
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import av

from edge_agent.encoding import PRESET, derived_bitrate_kbps
from edge_agent.testsrc import StampedPattern
from proctor.rtc.h264 import VIDEO_CLOCK_RATE

CLIP_SECONDS = 20
CACHE_DIR = Path("var/bench-clips")


def stamped_clip(width: int, height: int, fps: int, cache_dir: Path = CACHE_DIR) -> Path:
    """The path of the clip for these parameters, encoding it first if it is not cached:
    Baseline H.264 without B-frames (so the agent passes it through), a keyframe a second."""
    frames = CLIP_SECONDS * fps
    path = cache_dir / f"stamped-{width}x{height}-{fps}fps-{frames}f.mp4"
    if path.is_file():
        return path
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.part")
    kbps = derived_bitrate_kbps(width, height, fps)
    pattern = StampedPattern(width, height)
    with av.open(str(partial), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = Fraction(1, fps)
        stream.codec_context.gop_size = fps
        stream.codec_context.max_b_frames = 0
        stream.codec_context.bit_rate = kbps * 1000
        stream.codec_context.profile = "Baseline"
        stream.codec_context.options = {
            "preset": PRESET, "tune": "zerolatency",
            "x264-params": f"vbv-maxrate={kbps}:vbv-bufsize={kbps}:repeat-headers=1"}
        for index in range(frames):
            frame = pattern.next_frame(stamp=index)
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    partial.replace(path)  # atomic: a concurrent bench sees a whole clip or none
    return path


class SendTimes:
    """The agent's send log read back: per camera, per clip frame index, the send times."""

    def __init__(self, lines: Iterable[str], fps: int) -> None:
        frames = CLIP_SECONDS * fps
        self._sent: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        for line in lines:
            camera, _stream, pts, wall_ms = line.split()
            index = round(int(pts) * fps / VIDEO_CLOCK_RATE) % frames
            self._sent[int(camera)][index].append(int(wall_ms))
        for by_index in self._sent.values():
            for times in by_index.values():
                times.sort()

    @classmethod
    def read(cls, path: Path, fps: int) -> SendTimes:
        """Parse the log at ``path`` (empty if the agent wrote none)."""
        return cls(path.read_text().splitlines() if path.is_file() else [], fps)

    def latency_ms(self, camera: int, index: int, received_ms: int) -> float | None:
        """Arrival minus the latest send of ``index`` at or before it; None if never sent."""
        times = self._sent.get(camera, {}).get(index, [])
        at = bisect.bisect_right(times, received_ms)
        return float(received_ms - times[at - 1]) if at else None
