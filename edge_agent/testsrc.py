"""A synthetic camera for benchmarks: moving picture with the send time stamped into pixels.

The stamp is 48 bits of wall-clock milliseconds drawn as black/white blocks in the top-left
corner of the luma plane; it survives H.264 compression, so a viewer that decodes the frame
can read back when it was made and measure glass-to-glass latency.
"""

from __future__ import annotations

import time

import av
import numpy as np

STAMP_BITS = 48
BLOCK = 16
_WHITE, _BLACK = 235, 16


def stamp_luma(luma: np.ndarray, millis: int) -> None:
    """Draw ``millis`` into the top rows of a luma plane (``uint8``, height x width)."""
    for bit in range(STAMP_BITS):
        value = _WHITE if (millis >> (STAMP_BITS - 1 - bit)) & 1 else _BLACK
        luma[0:BLOCK, bit * BLOCK : (bit + 1) * BLOCK] = value


def read_stamp(luma: np.ndarray) -> int:
    """Read back the value drawn by :func:`stamp_luma` (samples each block's centre)."""
    centre = luma[BLOCK // 4 : BLOCK - BLOCK // 4, : STAMP_BITS * BLOCK]
    inner = slice(BLOCK // 4, BLOCK - BLOCK // 4)
    blocks = centre.reshape(centre.shape[0], STAMP_BITS, BLOCK)[:, :, inner]
    bits = blocks.mean(axis=(0, 2)) > (_WHITE + _BLACK) / 2
    value = 0
    for bit in bits:
        value = (value << 1) | int(bit)
    return value


def frame_luma(frame: av.VideoFrame) -> np.ndarray:
    """The luma plane of a decoded yuv420p frame as a 2-D array (no colour conversion)."""
    plane = frame.planes[0]
    rows = np.frombuffer(memoryview(plane), dtype=np.uint8).reshape(plane.height, plane.line_size)
    return rows[:, : plane.width]


def now_millis() -> int:
    """Wall-clock time in milliseconds, the unit of the stamp."""
    return int(time.time() * 1000)


class StampedPattern:
    """Generates yuv420p frames: a scrolling gradient (so the encoder has motion) plus stamp."""

    def __init__(self, width: int, height: int) -> None:
        if width < STAMP_BITS * BLOCK or height < 4 * BLOCK:
            raise ValueError(f"test pattern needs at least {STAMP_BITS * BLOCK}x{4 * BLOCK}")
        self.width, self.height = width, height
        x = np.arange(width, dtype=np.uint16)
        y = np.arange(height, dtype=np.uint16)[:, None]
        self._base = ((x + y) % 220 + 16).astype(np.uint8)
        self._chroma = np.full((height // 2, width), 128, dtype=np.uint8)
        self._index = 0

    def next_frame(self, stamp: int | None = None) -> av.VideoFrame:
        """The next frame, stamped with ``stamp`` (default: the current time in ms)."""
        self._index += 1
        luma = np.roll(self._base, self._index * 4, axis=1)
        stamp_luma(luma, now_millis() if stamp is None else stamp)
        frame = av.VideoFrame.from_ndarray(np.vstack([luma, self._chroma]), format="yuv420p")
        return frame
