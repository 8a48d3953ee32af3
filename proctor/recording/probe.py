"""Check that an uploaded segment really is MPEG-TS carrying decodable H.264."""

from __future__ import annotations

import io
from dataclasses import dataclass

import av

from proctor.errors import InvalidInput


@dataclass(frozen=True)
class SegmentInfo:
    """What the probe found."""

    width: int
    height: int


def probe_segment(data: bytes) -> SegmentInfo:
    """Open ``data`` as MPEG-TS and decode its first video frame; raises :class:`InvalidInput`."""
    try:
        with av.open(io.BytesIO(data), "r", format="mpegts") as container:
            if not container.streams.video:
                raise InvalidInput("segment has no video stream")
            stream = container.streams.video[0]
            if stream.codec_context.name != "h264":
                raise InvalidInput(f"segment video is {stream.codec_context.name}, not H.264")
            for frame in container.decode(stream):
                return SegmentInfo(frame.width, frame.height)
    except av.FFmpegError as error:
        raise InvalidInput(f"segment is not readable MPEG-TS: {error}") from error
    raise InvalidInput("segment has no decodable H.264 frame")
