"""``proctor bench scaling`` at small scale: 1 node, then 2 nodes each pinned to its own core,
each with its own camera and two archive readers; the second run delivers twice the frames with
nothing lost, and both its nodes serve clips. And the pinning itself: a process started
under :func:`pin_to_core` runs only on that CPU."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from proctor.config import REPO_ROOT
from proctor_dev.bench.cpu import machine_cpu_seconds
from proctor_dev.bench.nodes import pin_to_core
from proctor_dev.processes import ManagedProcess


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs 2 CPUs")
def test_a_pinned_process_and_its_threads_run_on_one_cpu() -> None:
    script = ("import os, threading, time; t = threading.Thread(target=time.sleep, args=(30,));"
              " t.start(); print(t.native_id, flush=True); time.sleep(30)")
    pinned = pin_to_core(ManagedProcess("sleeper", [sys.executable, "-c", script]), 1)
    child = subprocess.Popen(pinned.args, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        thread = int(child.stdout.readline())
        assert os.sched_getaffinity(child.pid) == {1}
        assert os.sched_getaffinity(thread) == {1}  # started after the pin: inherits it
    finally:
        child.kill()
        child.wait()


def test_machine_cpu_seconds_counts_busy_within_total() -> None:
    busy0, total0 = machine_cpu_seconds()
    sum(i * i for i in range(300_000))  # some work of our own
    busy1, total1 = machine_cpu_seconds()
    assert 0 <= busy1 - busy0 <= total1 - total0
    assert total1 > total0 and busy1 <= total1


@pytest.mark.slow  # 3 servers over 2 runs, PostgreSQL, NATS, SeaweedFS, agents, viewers
@pytest.mark.timeout(900)
def test_two_pinned_nodes_carry_twice_the_load_of_one() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "proctor", "bench", "scaling", "--cameras", "1",
         "--seconds", "10", "--segment-seconds", "2", "--readers", "2"],
        check=False, cwd=REPO_ROOT, capture_output=True, text=True, timeout=850)
    assert run.returncode == 0, run.stderr
    line = json.loads(run.stdout.strip().splitlines()[-1])
    one, two = line["one"], line["two"]
    assert [n["core"] for n in one["per_node"]] == [0]
    assert [(n["core"], n["cameras"]) for n in two["per_node"]] == [(0, 1), (1, 1)]
    assert one["frames_delivered_per_s"] > 5 and two["frames_delivered_per_s"] > 10
    assert 1.5 < line["throughput_ratio"] < 2.5, run.stderr
    assert line["capacity_ratio"] > 1.2, run.stderr  # a second node adds capacity
    for figures in (one, two):
        assert figures["segments_recorded"] >= 2 and figures["segments_lost"] == 0, run.stderr
        # 2 readers per node at once: on PostgreSQL an audit entry written on the event loop
        # waited for the chain lock the other request held, and the node froze (0 clips)
        assert figures["archive_clips_per_s"] > 0 and figures["archive_errors"] == 0
    assert [n["archive_clips_per_s"] > 0 for n in two["per_node"]] == [True, True]
