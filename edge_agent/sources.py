"""Camera sources: files (looping, paced in real time), RTSP, V4L2 and a test pattern.

Every source yields either H.264 packets (Annex-B, pts on the 90 kHz clock), which are sent
as they are, or raw frames, which the pipeline encodes once. Reading blocks, so sources run
on a worker thread of the pipeline.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TypeAlias
from urllib.parse import parse_qs, unquote, urlparse

import av

from edge_agent.config import CameraConfig
from edge_agent.testsrc import StampedPattern
from proctor.rtc.h264 import VIDEO_CLOCK_RATE, VIDEO_TIME_BASE, H264Packet

logger = logging.getLogger(__name__)

MAX_PLAUSIBLE_FPS = 120.0
SourceItem: TypeAlias = "H264Packet | av.VideoFrame"  # a string: H264Packet is one


class SourceError(Exception):
    """The source cannot be opened or read; the message names the source and the cause."""


@dataclass(frozen=True)
class StreamInfo:
    """What an opened source says about its video: codec, size and frame rate (None when the
    container does not state one)."""

    codec: str
    width: int
    height: int
    fps: float | None


class VideoSource(ABC):
    """A camera the pipeline reads from; ``info`` is known once :meth:`items` has started."""

    passthrough: bool = False
    info: StreamInfo | None = None

    @abstractmethod
    def items(self) -> Iterator[SourceItem]:
        """Yield packets or frames until the source ends or fails (raises SourceError)."""

    def close(self) -> None:  # noqa: B027 (a no-op default: a generated source holds nothing)
        """Release the device or connection."""


class _PacedClock:
    """Sleeps so that media time advances with wall-clock time (for files)."""

    def __init__(self) -> None:
        self._start = time.monotonic()

    def wait_until(self, media_seconds: float) -> None:
        delay = self._start + media_seconds - time.monotonic()
        if delay > 0:
            time.sleep(delay)


def redact_url(url: str) -> str:
    """The URL without its password, fit for logs and error messages."""
    parts = urlparse(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl()


def _is_avcc(stream: av.video.stream.VideoStream) -> bool:
    extradata = stream.codec_context.extradata
    return bool(extradata and extradata[0] == 1)


def _can_pass_through(stream: av.video.stream.VideoStream) -> bool:
    context = stream.codec_context
    return context.name == "h264" and not context.has_b_frames


class ContainerSource(VideoSource):
    """A source PyAV opens: a file, an RTSP URL or a V4L2 device."""

    def __init__(self, url: str, label: str, *, options: dict[str, str] | None = None,
                 fmt: str | None = None, paced: bool = False, loop: bool = False,
                 live: bool = False) -> None:
        self.url, self.label = url, label
        self._live = live  # a camera never ends: the end of its stream is a failure to retry
        self._options, self._format = options or {}, fmt
        self._paced, self._loop = paced, loop
        self._container: av.container.InputContainer | None = None
        self.passthrough = False

    def _open(self) -> av.video.stream.VideoStream:
        try:
            self._container = av.open(self.url, format=self._format, options=self._options,
                                      timeout=10)
        except (av.FFmpegError, OSError) as error:
            reason = str(error).replace(self.url, redact_url(self.url))
            raise SourceError(f"cannot open {self.label}: {reason}") from error
        if not self._container.streams.video:
            raise SourceError(f"{self.label} has no video stream")
        stream = self._container.streams.video[0]
        self.passthrough = _can_pass_through(stream)
        rate = float(stream.average_rate or stream.guessed_rate or 0)
        context = stream.codec_context
        # RTSP may report its 90 kHz clock as the rate: treat what no camera sends as unknown
        self.info = StreamInfo(context.name, context.width, context.height,
                               rate if 0 < rate <= MAX_PLAUSIBLE_FPS else None)
        return stream

    def items(self) -> Iterator[SourceItem]:
        clock = _PacedClock()
        offset_s = 0.0
        while True:
            stream = self._open()
            logger.info(
                "source opened: %s (%s %sx%s, %s)", self.label, stream.codec_context.name,
                stream.codec_context.width, stream.codec_context.height,
                "sent as is" if self.passthrough else "encoded once",
            )
            end_s = yield from self._read_once(stream, clock, offset_s)
            self.close()
            if self._live:
                raise SourceError(f"{self.label}: the stream ended")
            if not self._loop:
                return
            offset_s = end_s

    def _read_once(self, stream: av.video.stream.VideoStream, clock: _PacedClock,
                   offset_s: float) -> Generator[SourceItem, None, float]:
        """One pass over the container; returns the media time where it ended."""
        assert self._container is not None
        time_base = stream.time_base or Fraction(1, VIDEO_CLOCK_RATE)
        step = 1 / float(stream.average_rate or 15)
        annexb = av.bitstream.BitStreamFilterContext("h264_mp4toannexb", stream) if (
            self.passthrough and _is_avcc(stream)) else None
        first_pts: int | None = None
        untimed = 0  # leading packets without pts, placed one frame apart before the first pts
        media_s = offset_s
        try:
            for packet in self._container.demux(stream):
                if packet.pts is None:
                    # FFmpeg's RTSP demuxer gives the stream's first access unit (the camera's
                    # IDR) no pts: keep it rather than wait a whole GOP for the next keyframe
                    if first_pts is not None or not self.passthrough:
                        continue
                    media_s = offset_s + untimed * step
                    untimed += 1
                else:
                    if first_pts is None:
                        first_pts = packet.pts - round(untimed * step / time_base)
                    media_s = offset_s + float((packet.pts - first_pts) * time_base)
                if self._paced:
                    clock.wait_until(media_s)
                if self.passthrough:
                    for out in annexb.filter(packet) if annexb else [packet]:
                        out.pts = out.dts = round(media_s * VIDEO_CLOCK_RATE)
                        out.time_base = VIDEO_TIME_BASE
                        yield out
                else:
                    yield from packet.decode()
        except av.FFmpegError as error:
            raise SourceError(f"reading {self.label} failed: {error}") from error
        return media_s + step

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
            self._container = None


class TestPatternSource(VideoSource):
    """``testsrc://stamp?width=&height=&fps=``: synthetic frames stamped with the send time."""

    def __init__(self, width: int, height: int, fps: float) -> None:
        self._pattern = StampedPattern(width, height)
        self._fps = fps
        self.info = StreamInfo("testsrc", width, height, fps)

    def items(self) -> Iterator[SourceItem]:
        clock = _PacedClock()
        index = 0
        while True:
            clock.wait_until(index / self._fps)
            index += 1
            yield self._pattern.next_frame()


def open_source(camera: CameraConfig) -> VideoSource:
    """Build the source named by ``camera.source``."""
    url = urlparse(camera.source)
    label = f"camera {camera.id} ({redact_url(camera.source)})"
    if url.scheme == "file":
        path = Path(unquote(url.netloc + url.path))
        if not path.is_file():
            raise SourceError(f"{label}: file {path} does not exist")
        return ContainerSource(str(path), label, paced=True, loop=camera.loop)
    if url.scheme in ("rtsp", "rtsps"):
        options = {"rtsp_transport": camera.rtsp_transport}
        return ContainerSource(camera.source, label, options=options, live=True)
    if url.scheme == "v4l2":
        return ContainerSource(url.path, label, fmt="v4l2", live=True)
    query = {k: v[-1] for k, v in parse_qs(url.query).items()}
    return TestPatternSource(
        int(query.get("width", 1280)), int(query.get("height", 720)), float(query.get("fps", 15))
    )
