"""The detector pool with real detector processes (NanoDet on ONNX Runtime, one thread each):
both processes get work, and a process killed in the middle of a batch costs that batch
only: the other keeps answering, and the killed one is started again after the back-off.

Needs `proctor models pull nanodet` run before pytest (as test_nanodet.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from support.wait import wait_until

from proctor.vision.detector import Detection
from proctor.vision.detector_keeper import DetectorKeeper
from proctor.vision.detector_pool import DetectorPool, detector_processes
from proctor.vision.runtime import usable_cores
from proctor.vision.settings import AnalysisSettings

pytestmark = pytest.mark.slow

BUS = Path(__file__).parent / "data" / "counts" / "ultralytics-bus.jpg"
N = 4  # people in BUS (2 + 2 partly hidden, labels.json), all found at 0.5
SETTINGS = AnalysisSettings(analysis_detector={"type": "onnx", "model": "nanodet"},
                            analysis_detector_processes=2, analysis_timeout_s=60)


def people(found: list[list[Detection]] | None) -> list[int] | None:
    return None if found is None else [sum(d.label == "person" for d in f) for f in found]


@pytest.fixture(scope="module")
def bus() -> np.ndarray:
    frame = cv2.imread(str(BUS))
    assert frame is not None
    return frame


@pytest.fixture
async def pool() -> AsyncIterator[DetectorPool]:
    """Two running detector processes, restarted 1 s after a failure."""
    processes = detector_processes(SETTINGS)
    threads = max(1, usable_cores() // 2)  # one each on this 2-core server
    assert [p.config_data["threads"] for p in processes] == [threads, threads]
    running = DetectorPool(processes, restart_after_s=1.0)
    task = asyncio.create_task(running.keep_running())
    try:
        assert await wait_until(lambda: len(running.running) == 2, timeout=240), running.error
        yield running
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await asyncio.to_thread(running.stop)


@pytest.mark.timeout(400)
async def test_both_processes_get_work_at_once(pool: DetectorPool, bus: np.ndarray) -> None:
    used: list[DetectorKeeper] = []

    async def lane() -> list[int] | None:
        async with pool.child() as child:
            assert child is not None
            used.append(child)
            return people(await child.detect([bus, bus]))

    assert list(await asyncio.gather(lane(), lane())) == [[N, N], [N, N]]
    assert len(set(used)) == 2  # each lane had its own process
    assert len({k.process.pid for k in used}) == 2


@pytest.mark.timeout(400)
async def test_a_process_killed_mid_batch_costs_its_batch_only(
        pool: DetectorPool, bus: np.ndarray) -> None:
    pids = pool.pids
    async with pool.child() as victim, pool.child() as other:
        assert victim is not None and other is not None and victim is not other
        batch = asyncio.create_task(victim.detect([bus] * 40))  # seconds of work
        await asyncio.sleep(0.5)  # the batch is in the victim's hands
        assert not batch.done()
        victim_pid = victim.process.pid
        assert victim_pid is not None
        os.kill(victim_pid, signal.SIGKILL)
        assert people(await other.detect([bus])) == [N]  # the other answers meanwhile
        assert await batch is None  # the killed batch: not analysed
    assert "died" in (pool.error or "") and pool.running == [other]
    assert pool.model is not None and not pool.first_start

    async with pool.child() as next_child:  # new samples go to the one that runs
        assert next_child is other
        assert people(await next_child.detect([bus])) == [N]

    assert await wait_until(lambda: len(pool.running) == 2, timeout=240), pool.error
    assert pool.error is None
    assert other.process.pid in pids and victim.process.pid not in (None, *pids)
    async with pool.child() as restarted, pool.child() as second:
        assert {restarted, second} == {victim, other}
        assert people(await victim.detect([bus])) == [N]
