"""Encoder settings for a raw source, derived from the source's own size and frame rate.

A raw camera (MJPEG, YUYV, a file in another codec) is encoded once, to H.264. Its keyframe
interval and bitrate follow the source, not a fixed assumption:

- GOP (frames between keyframes) = round(``gop_seconds`` × fps), at least 1.
- bitrate (kbit/s) = ``bitrate_kbps`` if set, else width × height × fps × BITS_PER_PIXEL / 1000,
  kept between MIN_BITRATE_KBPS and MAX_BITRATE_KBPS. VBV holds the rate to it over 1 s.

The frame rate is the container's (``average_rate``, else its guess); a source that states
none is taken as FALLBACK_FPS and logged.
"""

from __future__ import annotations

from proctor.rtc.h264 import EncoderSettings

BITS_PER_PIXEL = 0.1  # 720p15 ≈ 1.4 Mbit/s, 720p25 ≈ 2.3 Mbit/s, 360p15 ≈ 0.35 Mbit/s
MIN_BITRATE_KBPS = 200
MAX_BITRATE_KBPS = 8000
FALLBACK_FPS = 15.0
PRESET = "veryfast"


def derived_bitrate_kbps(width: int, height: int, fps: float) -> int:
    """The bitrate a raw source of this size and rate gets when none is configured."""
    kbps = round(width * height * fps * BITS_PER_PIXEL / 1000)
    return min(MAX_BITRATE_KBPS, max(MIN_BITRATE_KBPS, kbps))


def encoder_settings(width: int, height: int, fps: float, gop_seconds: float,
                     bitrate_kbps: int | None) -> EncoderSettings:
    """libx264 settings for a raw source of ``width`` × ``height`` at ``fps``."""
    rate = max(1, round(fps))
    return EncoderSettings(
        preset=PRESET,
        bitrate_kbps=bitrate_kbps or derived_bitrate_kbps(width, height, fps),
        gop_seconds=gop_seconds,
        nominal_fps=rate,
    )


def gop_frames(settings: EncoderSettings) -> int:
    """Frames from one keyframe to the next with these settings."""
    return max(1, round(settings.gop_seconds * settings.nominal_fps))
