"""Real MPEG-TS segments cut from the sample footage (remuxed, as the edge recorder does)."""

from __future__ import annotations

import base64
import hashlib
import io
from pathlib import Path

import av


def cut_segment(footage: Path, start_s: float, seconds: float) -> bytes:
    """The H.264 packets of ``footage`` from the keyframe at ``start_s`` for ``seconds``, as TS."""
    out_buffer = io.BytesIO()
    with av.open(str(footage)) as source, av.open(out_buffer, "w", format="mpegts") as out:
        video = source.streams.video[0]
        stream = out.add_stream_from_template(video)
        started = False
        for packet in source.demux(video):
            if packet.pts is None:
                continue
            at = float(packet.pts * video.time_base)
            if not started and (at < start_s or not packet.is_keyframe):
                continue
            if at >= start_s + seconds and packet.is_keyframe:
                break
            started = True
            packet.stream = stream
            out.mux(packet)
    return out_buffer.getvalue()


def digest_header(data: bytes) -> str:
    """RFC 9530 ``Repr-Digest`` value for ``data``."""
    return f"sha-256=:{base64.b64encode(hashlib.sha256(data).digest()).decode()}:"
