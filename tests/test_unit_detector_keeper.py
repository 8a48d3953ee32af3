"""The detector keeper with a scripted detector process (no child process, no model): what
analysis sees before the first start, while the detector runs, when it fails at start or
while detecting, and that it is restarted after the back-off every time."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import numpy as np
import pytest
from support.detector_process import PERSON, ScriptedProcess
from support.wait import wait_until

from proctor.vision.detector_keeper import STARTING, DetectorKeeper
from proctor.vision.worker import DetectorUnavailable

FRAME = np.zeros((8, 8), np.uint8)


@contextlib.asynccontextmanager
async def keeping(process: ScriptedProcess) -> AsyncIterator[DetectorKeeper]:
    """A keeper of ``process`` restarting it after 10 ms, kept running meanwhile."""
    keeper = DetectorKeeper(process, restart_after_s=0.01)  # type: ignore[arg-type]
    task = asyncio.create_task(keeper.keep_running())
    try:
        yield keeper
    finally:
        task.cancel()


@pytest.fixture
async def running() -> AsyncIterator[tuple[DetectorKeeper, ScriptedProcess]]:
    process = ScriptedProcess()
    async with keeping(process) as keeper:
        assert await wait_until(lambda: keeper.error is None, timeout=10)
        yield keeper, process


async def test_before_the_first_start_nothing_is_analysed() -> None:
    keeper = DetectorKeeper(ScriptedProcess(), restart_after_s=1)  # type: ignore[arg-type]
    assert (keeper.error, keeper.first_start, keeper.model) == (STARTING, True, None)
    assert await keeper.detect([FRAME]) is None


async def test_a_running_detector_answers_and_is_not_asked_for_nothing(
        running: tuple[DetectorKeeper, ScriptedProcess]) -> None:
    keeper, process = running
    assert keeper.first_start is False and keeper.model is process.model is not None
    assert await keeper.detect([FRAME, FRAME]) == [[PERSON], [PERSON]]
    assert await keeper.detect([]) is None
    assert len(process.seen) == 1  # the empty batch never reached the process


async def test_a_failure_while_detecting_marks_it_down_and_it_is_restarted(
        running: tuple[DetectorKeeper, ScriptedProcess]) -> None:
    keeper, process = running
    process.detect_error = DetectorUnavailable("detector did not answer within 5 s")
    assert await keeper.detect([FRAME]) is None
    assert keeper.error == "detector did not answer within 5 s"
    assert await keeper.detect([FRAME]) is None  # down until restarted, even if it could answer
    assert await wait_until(lambda: keeper.error is None, timeout=10)
    assert process.started == 2
    assert await keeper.detect([FRAME]) == [[PERSON]]


@pytest.mark.parametrize(("failure", "reason", "stops"), [
    (DetectorUnavailable("model file missing"), "model file missing", []),
    (OSError("cannot spawn"), "OSError: cannot spawn", [False]),  # killed, not asked
])
async def test_a_failed_start_says_why_and_is_retried(
        failure: BaseException, reason: str, stops: list[bool],
        caplog: pytest.LogCaptureFixture) -> None:
    process = ScriptedProcess(failure, failure)
    async with keeping(process) as keeper:
        assert await wait_until(lambda: keeper.error is None, timeout=10)
        assert keeper.first_start is False
    assert caplog.text.count(f"detector unavailable, cameras not analysed: {reason}") == 2
    assert process.started == 3 and process.stops == stops * 2


async def test_stopping_the_keeper_stops_the_process(
        running: tuple[DetectorKeeper, ScriptedProcess]) -> None:
    keeper, process = running
    keeper.stop()
    assert process.stops == [True] and keeper.model is None
