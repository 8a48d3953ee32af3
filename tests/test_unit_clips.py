"""Clips and thumbnails from tiny segments encoded here (64×48, 10 fps, a keyframe every
half second, each frame its own grey level on a fixed texture, so a picture tells which
frame it is): where a clip starts and ends, what happens to a segment that begins mid-GOP,
to a range with no footage and to a damaged segment, and which frame a thumbnail shows.
No server, no store, no files from ``var/media`` (the sample-footage tests are in
``test_clips.py``)."""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np
import pytest

from proctor.errors import NotFound
from proctor.recording.clips import SegmentMedia, assemble_clip, thumbnail_jpeg

T0 = 1_795_000_000_000  # epoch ms
FPS, GOP, FRAMES = 10, 5, 10  # one second per segment, keyframes at 0 and 500 ms
WIDTH, HEIGHT = 64, 48


# a fixed texture (±10) on every frame, so the picture has detail for the encoders to keep
TEXTURE = np.random.default_rng(5).integers(-10, 11, (HEIGHT, WIDTH, 1)).repeat(3, axis=2)


def level(frame: int) -> int:
    """The grey level of frame ``frame`` (far enough apart to survive compression)."""
    return 20 + 25 * frame


def segment(frames: int = FRAMES, skip: int = 0) -> bytes:
    """An MPEG-TS segment as the agent uploads it; ``skip``: drop its first packets (a
    segment that starts mid-GOP)."""
    out_buffer = io.BytesIO()
    with av.open(out_buffer, "w", format="mpegts") as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.options = {"g": str(GOP), "keyint_min": str(GOP), "sc_threshold": "0",
                          "bf": "0", "preset": "ultrafast"}
        written = 0
        for i in range(frames):
            picture = (TEXTURE + level(i)).astype(np.uint8)
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts = i
            for packet in [*stream.encode(frame), *(stream.encode(None) if i == frames - 1
                                                    else [])]:
                if written >= skip:
                    out.mux(packet)
                written += 1
    return out_buffer.getvalue()


@pytest.fixture(scope="module")
def media() -> list[SegmentMedia]:
    return [SegmentMedia(T0 + i * 1000, segment()) for i in range(3)]


def clip_frames(path: Path) -> list[tuple[float, float]]:
    """(time s, mean grey) of every frame of the clip."""
    with av.open(str(path)) as container:
        return [(float(frame.time or 0.0), float(frame.to_ndarray(format="gray").mean()))
                for frame in container.decode(video=0)]


def nearest_frame(grey: float) -> int:
    return min(range(FRAMES), key=lambda i: abs(level(i) - grey))


@pytest.mark.parametrize(("start", "end", "first", "frames"), [
    (0, 3000, 0, 30),  # everything
    (700, 1300, 500, 8),  # pre-roll from the keyframe at 500 ms; 1300 is not included
    (500, 600, 500, 1),  # starting on a keyframe: no pre-roll
    (900, 1001, 500, 6),  # into the next segment by one frame's start (1000 ms)
    (2850, 99_000, 2500, 5),  # past the end: up to the last frame
])
def test_a_clip_starts_at_the_keyframe_before_its_start(
        media: list[SegmentMedia], tmp_path: Path, start: int, end: int, first: int,
        frames: int) -> None:
    info = assemble_clip(media, T0 + start, T0 + end, tmp_path / "clip.mp4")
    assert (info.first_ms - T0, info.frames) == (first, frames)
    assert info.last_ms == T0 + first + (frames - 1) * 100
    written = clip_frames(tmp_path / "clip.mp4")
    assert len(written) == frames
    assert nearest_frame(written[0][1]) == (first % 1000) // 100
    assert [round(t, 2) for t, _ in written] == [round(i / FPS, 2) for i in range(frames)]


@pytest.mark.parametrize(("start", "end"), [(-5000, -1000), (3000, 4000), (1200, 1200),
                                            (1500, 1000),
                                            (2950, 3000)])  # after the last frame's start
def test_a_range_without_footage_is_not_found_and_leaves_no_file(
        media: list[SegmentMedia], tmp_path: Path, start: int, end: int) -> None:
    with pytest.raises(NotFound, match="no recorded footage"):
        assemble_clip(media, T0 + start, T0 + end, tmp_path / "clip.mp4")
    assert list(tmp_path.iterdir()) == []


def test_a_segment_starting_mid_gop_starts_the_clip_at_its_first_keyframe(
        tmp_path: Path) -> None:
    """Its first two frames cannot be decoded without the keyframe that was cut off."""
    cut = SegmentMedia(T0, segment(skip=2))
    info = assemble_clip([cut], T0, T0 + 1000, tmp_path / "clip.mp4")
    assert (info.first_ms, info.frames) == (T0 + 300, 5)  # 300 ms after its first packet
    written = clip_frames(tmp_path / "clip.mp4")
    assert [nearest_frame(grey) for _, grey in written] == [5, 6, 7, 8, 9]


def test_a_damaged_segment_fails_the_clip_and_leaves_no_partial_file(
        media: list[SegmentMedia], tmp_path: Path) -> None:
    damaged = SegmentMedia(T0 + 1000, b"\x47" + bytes(range(256)) * 8)
    with pytest.raises(av.error.FFmpegError):
        assemble_clip([media[0], damaged], T0, T0 + 2000, tmp_path / "clip.mp4")
    assert list(tmp_path.iterdir()) == []


def test_an_existing_clip_is_replaced_whole(media: list[SegmentMedia], tmp_path: Path) -> None:
    target = tmp_path / "clip.mp4"
    target.write_bytes(b"an older, longer clip" * 1000)
    info = assemble_clip(media, T0, T0 + 200, target)
    assert len(clip_frames(target)) == info.frames == 2
    assert [p.name for p in tmp_path.iterdir()] == ["clip.mp4"]


@pytest.mark.parametrize(("at", "frame"), [
    (0, 0), (99, 0), (100, 1), (450, 4), (900, 9), (5000, 9),  # at or before the instant
    (-500, 0),  # before the segment: its first frame
])
def test_a_thumbnail_shows_the_last_frame_at_or_before_the_instant(
        media: list[SegmentMedia], at: int, frame: int) -> None:
    jpeg = thumbnail_jpeg(media[0], T0 + at)
    assert jpeg[:2] == b"\xff\xd8"
    with av.open(io.BytesIO(jpeg), "r") as container:
        picture = next(container.decode(video=0))
    assert (picture.width, picture.height) == (WIDTH, HEIGHT)
    assert nearest_frame(float(picture.to_ndarray(format="gray").mean())) == frame


def test_a_thumbnails_quality_sets_its_size(media: list[SegmentMedia]) -> None:
    assert len(thumbnail_jpeg(media[0], T0, quality=2)) > len(thumbnail_jpeg(media[0], T0,
                                                                             quality=31))
