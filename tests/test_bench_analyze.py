"""``proctor bench analyze``: one camera of real footage through the real analyzer and model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from proctor.config import REPO_ROOT

FIELDS = {"cameras", "fps", "seconds", "samples", "analysed", "dropped_samples", "lag_s_p50",
          "lag_s_p95", "cpu_pct", "cores", "backend", "model", "keeps_up"}


def test_bench_analyze_ends_with_json(h264_footage: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "proctor", "bench", "analyze", "--cameras", "1", "--seconds", "5",
         "--footage", str(h264_footage)],
        check=False, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    line = json.loads(run.stdout.strip().splitlines()[-1])
    assert line.keys() >= FIELDS
    assert line["cameras"] == 1 and line["analysed"] > 0
    assert line["samples"] > 0 and line["cpu_pct"] > 0
    assert line["lag_s_p50"] <= line["lag_s_p95"]
    assert isinstance(line["keeps_up"], bool)
