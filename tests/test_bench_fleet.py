"""``proctor bench fleet`` at tiny scale: a compressed exam day on 2 real nodes; every stub's
segment is stored (1:1 with the index rows), nothing answers 5xx, readers are served, the
edge observations' covered lenses open events that reach the alerts stream, and the cameras
of the node killed in the morning's opening wave are owned again by the other, none twice,
no segment lost; the stubs run in 2 processes whose figures add up."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from proctor.config import REPO_ROOT

pytestmark = pytest.mark.slow  # 2 servers, PostgreSQL, NATS and SeaweedFS

FIELDS = {"cameras", "api_p95_ms", "put_p95_ms", "jetstream_lag_p95_ms",
          "reconnect_recovery_s", "pg_rows_per_s", "whip_status", "put_status",
          "segments_recorded", "segments_stored", "server_errors", "events_opened",
          "alerts_lag_p95_ms", "observe_status", "bench_cpu_share", "startup_s",
          "stub_processes", "kill_at", "cameras_owned_twice", "segments_lost"}


@pytest.mark.timeout(900)
def test_a_tiny_exam_day_stores_every_segment_and_recovers_from_a_node_kill() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "proctor", "bench", "fleet", "--cameras", "12", "--minutes",
         "1", "--readers", "2", "--lease-s", "3", "--segment-seconds", "2",
         "--observe-seconds", "1", "--stub-processes", "2", "--kill-node-at", "08:32"],
        check=False, cwd=REPO_ROOT, capture_output=True, text=True, timeout=850)
    assert run.returncode == 0, run.stderr
    line = json.loads(run.stdout.strip().splitlines()[-1])
    assert line.keys() >= FIELDS
    assert line["cameras"] == 12 and line["stub_processes"] == 2
    assert line["server_errors"] == 0, run.stderr
    # both waves published every camera at least once (a 201 each), through 307s or not
    assert line["whip_status"].get("201", 0) >= 2 * 12, run.stderr
    assert line["segments_recorded"] >= 12 * 5, run.stderr  # ~40 s open at 2 s a segment
    assert line["segments_rejected"] == 0 and line["segments_unsent"] == 0, run.stderr
    assert line["segments_stored"] == line["segments_recorded"], run.stderr
    assert line["put_status"].get("201", 0) >= line["segments_recorded"], run.stderr
    assert 0 < line["api_p95_ms"] < 30_000 and 0 < line["put_p95_ms"] < 30_000
    assert line["jetstream_lag_p95_ms"] is not None and line["jetstream_lag_p95_ms"] >= 0
    assert line["pg_rows_per_s"] > 0
    # each camera covers its lens once per session: an event per session, bar those whose
    # cover fell while the camera changed nodes
    assert line["observe_status"].get("200", 0) > 0, run.stderr
    assert line["events_opened"] >= 12, run.stderr
    assert line["alerts_delivered"] >= line["events_opened"], run.stderr
    assert line["alerts_lag_p95_ms"] is not None and line["alerts_lag_p95_ms"] >= 0
    # killed while the morning's sessions were open: their cameras moved to the other node
    assert line["kill_at"] == "08:32" and line["open_at_kill"] > 0, run.stderr
    assert line["reconnect_recovery_s"] is not None, run.stderr
    assert 0 < line["reconnect_recovery_s"] < 60, run.stderr
    assert line["cameras_owned_twice"] == 0 and line["segments_lost"] == 0, run.stderr
