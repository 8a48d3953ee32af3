"""The pre-encoded clip of ``proctor bench live --clip``: its frames carry their index, it is
passed through by the agent (Baseline, no B-frames, a keyframe a second) and cached; the
agent's send log joined with a viewer's index gives the latency, across the clip's loops."""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from edge_agent.testsrc import frame_luma, read_stamp
from proctor.rtc.h264 import VIDEO_CLOCK_RATE
from proctor_dev.bench.stamp_clip import CLIP_SECONDS, SendTimes, stamped_clip

FPS = 5


def test_the_clip_carries_frame_indexes_and_is_cached(tmp_path: Path) -> None:
    path = stamped_clip(768, 64, FPS, tmp_path)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264" and not stream.codec_context.has_b_frames
        keyframes = [p.is_keyframe for p in container.demux(stream) if p.size]
    assert len(keyframes) == CLIP_SECONDS * FPS
    assert [i for i, key in enumerate(keyframes) if key][:3] == [0, FPS, 2 * FPS]
    with av.open(str(path)) as container:
        indexes = [read_stamp(frame_luma(f)) for f in container.decode(video=0)]
    assert indexes == list(range(CLIP_SECONDS * FPS))
    modified = path.stat().st_mtime_ns
    assert stamped_clip(768, 64, FPS, tmp_path) == path
    assert path.stat().st_mtime_ns == modified, "a cached clip is not encoded again"


def test_latency_is_arrival_minus_the_latest_send_of_that_index() -> None:
    frames = CLIP_SECONDS * FPS
    step = VIDEO_CLOCK_RATE // FPS
    # camera 3 sends frame 7 at 1000 ms, and again one loop later (pts keeps growing)
    lines = [f"3 main {7 * step} 1000", f"3 main {(frames + 7) * step} 21000",
             f"3 main {8 * step} 1200"]
    sent = SendTimes(lines, FPS)
    assert sent.latency_ms(3, 7, 1045) == 45
    assert sent.latency_ms(3, 7, 21030) == 30, "the second loop's send, not the first"
    assert sent.latency_ms(3, 8, 1100) is None, "not sent before it arrived"
    assert sent.latency_ms(4, 7, 1045) is None, "another camera"


def test_the_live_bench_refuses_a_frame_too_small_for_its_stamp() -> None:
    """A frame narrower than the stamp would publish nothing and print 0 fps: the CLI's
    bounds are the pattern's own, and a smaller frame is refused before anything starts."""
    from typer.testing import CliRunner

    from edge_agent.testsrc import StampedPattern
    from proctor_dev.cli.bench import STAMP_MIN_HEIGHT, STAMP_MIN_WIDTH, app

    StampedPattern(STAMP_MIN_WIDTH, STAMP_MIN_HEIGHT)  # the smallest it takes
    with pytest.raises(ValueError):
        StampedPattern(STAMP_MIN_WIDTH - 16, STAMP_MIN_HEIGHT)
    refused = CliRunner().invoke(app, ["live", "--width", "640", "--height", "360"])
    assert refused.exit_code == 2 and "--width" in refused.output
