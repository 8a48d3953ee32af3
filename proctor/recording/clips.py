"""Clips and thumbnails from stored segments, by remuxing (never transcoding the footage).

A clip starts at the last keyframe at or before the requested start (pre-roll included):
starting anywhere else would need re-encoding. Packet times come from each segment's
server-clock start plus its own timestamps, so a gap in the recording stays a gap in the
clip's timeline instead of being silently closed.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from av.video.stream import VideoStream

from proctor.errors import NotFound

CLIP_TIME_BASE = Fraction(1, 90_000)


@dataclass(frozen=True)
class SegmentMedia:
    """A segment's bytes and where it sits in time (server clock, epoch ms)."""

    start_ms: int
    data: bytes


@dataclass(frozen=True)
class ClipInfo:
    """What was written."""

    first_ms: int
    last_ms: int
    frames: int


def _time_base(stream: av.video.stream.VideoStream) -> Fraction:
    """The stream's time base (the MPEG-TS demuxer always sets one)."""
    if stream.time_base is None:
        raise ValueError("segment video stream has no time base")
    return stream.time_base


def _epoch_ms(segment: SegmentMedia, pts: int, first_pts: int, time_base: Fraction) -> int:
    """Where a timestamp of the segment falls on the server clock (epoch ms)."""
    return segment.start_ms + round(float((pts - first_pts) * time_base) * 1000)


def _timed_packets(
        segment: SegmentMedia) -> Iterable[tuple[int, av.Packet[VideoStream], VideoStream]]:
    """``(epoch ms, packet, stream)`` for every video packet of the segment."""
    with av.open(io.BytesIO(segment.data), "r", format="mpegts") as container:
        stream = container.streams.video[0]
        time_base = _time_base(stream)
        first_pts: int | None = None
        for packet in container.demux(stream):
            if packet.pts is None:
                continue
            first_pts = packet.pts if first_pts is None else first_pts
            at_ms = _epoch_ms(segment, packet.pts, first_pts, time_base)
            yield at_ms, packet, stream


def assemble_clip(segments: Iterable[SegmentMedia], start_ms: int, end_ms: int,
                  output: Path) -> ClipInfo:
    """Write an MP4 (faststart, seekable) covering ``[start_ms, end_ms)`` from ``segments``."""
    pending: list[tuple[int, av.Packet[VideoStream]]] = []  # the GOP that may contain start_ms
    out: av.container.OutputContainer | None = None
    out_stream = None
    first_ms = last_ms = last_pts = frames = 0
    partial = output.with_name(f"{output.stem}.{os.getpid()}-{threading.get_ident()}.partial.mp4")
    try:
        for segment in segments:
            for at_ms, packet, stream in _timed_packets(segment):
                if at_ms >= end_ms:
                    break
                if out is None:
                    if packet.is_keyframe:
                        pending = []
                    pending.append((at_ms, packet))
                    if at_ms < start_ms:
                        continue
                    if not pending or not pending[0][1].is_keyframe:
                        pending = []
                        continue
                    out = av.open(str(partial), "w", format="mp4",
                                  options={"movflags": "+faststart"})
                    out_stream = out.add_stream_from_template(stream)
                    out_stream.time_base = CLIP_TIME_BASE
                    first_ms = pending[0][0]
                    to_write = pending
                else:
                    to_write = [(at_ms, packet)]
                assert out_stream is not None  # created together with out
                for when_ms, item in to_write:
                    item.stream = out_stream
                    # Each segment is placed by its own clock offset, so the next one may start
                    # a few ms before the last frame of the one before: nudge it one tick on,
                    # as the muxer refuses a timestamp that does not increase.
                    last_pts = round((when_ms - first_ms) * 90) if frames == 0 else max(
                        round((when_ms - first_ms) * 90), last_pts + 1)
                    item.pts = item.dts = last_pts
                    item.time_base = CLIP_TIME_BASE
                    out.mux(item)
                    last_ms, frames = when_ms, frames + 1
    except BaseException:
        if out is not None:
            out.close()
        partial.unlink(missing_ok=True)
        raise
    if out is not None:
        out.close()
    if out is None:
        raise NotFound("no recorded footage in the requested time range")
    os.replace(partial, output)  # atomic: a concurrent request for the same clip is harmless
    return ClipInfo(first_ms=first_ms, last_ms=last_ms, frames=frames)


def thumbnail_jpeg(segment: SegmentMedia, at_ms: int, quality: int = 5) -> bytes:
    """A JPEG of the last frame at or before ``at_ms`` in the segment."""
    chosen = None
    with av.open(io.BytesIO(segment.data), "r", format="mpegts") as container:
        stream = container.streams.video[0]
        time_base = _time_base(stream)
        first_pts: int | None = None
        for frame in container.decode(stream):
            if frame.pts is None:
                continue  # an untimed frame cannot be placed in time (as in _timed_packets)
            first_pts = frame.pts if first_pts is None else first_pts
            frame_ms = _epoch_ms(segment, frame.pts, first_pts, time_base)
            if frame_ms > at_ms and chosen is not None:
                break
            chosen = frame
    if chosen is None:
        raise NotFound("no frame at that instant")
    encoder = av.CodecContext.create("mjpeg", "w")
    encoder.width, encoder.height = chosen.width, chosen.height
    encoder.pix_fmt = "yuvj420p"
    encoder.time_base = Fraction(1, 25)
    encoder.options = {"qmin": str(quality), "qmax": str(quality)}
    image = chosen.reformat(format="yuvj420p")
    image.pts = 0
    return b"".join(bytes(p) for p in [*encoder.encode(image), *encoder.encode(None)])
