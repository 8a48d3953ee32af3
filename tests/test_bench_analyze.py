"""``proctor bench analyze``: one camera of real footage through the real analyzer and model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from proctor.config import REPO_ROOT
from proctor_dev.bench.analyze import FootageLoop, footage_duration_s

FIELDS = {"cameras", "fps", "seconds", "samples", "analysed", "dropped_samples", "lag_s_p50",
          "lag_s_p95", "cpu_pct", "decode_cpu_pct", "analysis_cpu_pct", "cores", "backend",
          "model", "keeps_up", "decode", "gop_frames", "keyframe_interval_s"}


def bench_analyze(footage: Path, *options: str) -> dict[str, Any]:
    run = subprocess.run(
        [sys.executable, "-m", "proctor", "bench", "analyze", "--cameras", "1", "--seconds", "5",
         "--footage", str(footage), *options],
        check=False, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    line: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    assert line.keys() >= FIELDS
    return line


def test_bench_analyze_ends_with_json(h264_footage: Path) -> None:
    line = bench_analyze(h264_footage)
    assert line["cameras"] == 1 and line["analysed"] > 0
    assert line["samples"] > 0 and line["cpu_pct"] > 0
    assert line["lag_s_p50"] <= line["lag_s_p95"]
    assert isinstance(line["keeps_up"], bool)
    assert line["decode"] == "every frame" and 0 < line["decode_cpu_pct"] < line["cpu_pct"]
    assert line["footage_fps_delivered"] > 1.5 / line["keyframe_interval_s"]  # every frame


def test_bench_analyze_decodes_keyframes_only(h264_footage: Path) -> None:
    line = bench_analyze(h264_footage, "--keyframes-only")
    assert line["decode"] == "keyframes only" and line["analysed"] > 0
    assert line["gop_frames"] > 1 and line["decode_cpu_pct"] > 0
    # one frame per keyframe interval reaches the feed, not the footage's frame rate
    assert line["footage_fps_delivered"] <= 1.5 / line["keyframe_interval_s"]


def test_bench_analyze_feeds_access_units_the_feed_decodes(h264_footage: Path) -> None:
    line = bench_analyze(h264_footage, "--encoded")
    assert line["decode"].startswith("access units") and line["analysed"] > 0
    # every access unit reaches the feed; its decoder (keyframes only) used some CPU
    assert line["footage_fps_delivered"] > 1.5 / line["keyframe_interval_s"]
    assert 0 < line["decode_cpu_pct"] < line["cpu_pct"]


def test_access_units_go_on_past_the_end_of_the_footage(h264_footage: Path) -> None:
    footage = FootageLoop(h264_footage, 0.95 * footage_duration_s(h264_footage))
    try:
        units = [footage.next_unit() for _ in range(200)]  # the end comes after ~40
    finally:
        footage.close()
    assert units[0].keyframe and units[0].data.startswith((b"\x00\x00\x01", b"\x00\x00\x00\x01"))
    stamps = [unit.timestamp for unit in units]
    assert stamps == sorted(set(stamps))  # rising across the loop, as a live camera's
    assert sum(unit.keyframe for unit in units) >= 15  # a keyframe every ~10 frames
