"""``proctor bench failover`` at small scale: the node publishing both cameras is SIGKILLed
and the agent moves them to the other node, losing no segment and never live on both."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from proctor.config import REPO_ROOT

pytestmark = pytest.mark.slow  # 2 servers, PostgreSQL, NATS, SeaweedFS and an agent

FIELDS = {"cameras", "seconds", "lease_s", "killed_node", "recovery_s", "segments_recorded",
          "segments_stored", "segments_spooled", "segments_lost", "cameras_owned_twice"}


@pytest.mark.timeout(900)
def test_killing_the_owning_node_moves_its_cameras_and_loses_nothing(
        h264_footage: Path) -> None:  # the fixture makes the sample footage the bench uses
    run = subprocess.run(
        [sys.executable, "-m", "proctor", "bench", "failover", "--cameras", "2",
         "--seconds", "30", "--lease-s", "3", "--segment-seconds", "2"],
        check=False, cwd=REPO_ROOT, capture_output=True, text=True, timeout=850)
    assert run.returncode == 0, run.stderr
    line = json.loads(run.stdout.strip().splitlines()[-1])
    assert line.keys() >= FIELDS
    assert line["killed_node"] in ("a", "b")
    assert 0 < line["recovery_s"] < 120, run.stderr  # issue 15: < 20 s; generous when loaded
    assert line["segments_recorded"] >= 10  # 30 s of 2 s segments on 2 cameras, and more
    assert line["segments_lost"] == 0, run.stderr
    assert line["cameras_owned_twice"] == 0
