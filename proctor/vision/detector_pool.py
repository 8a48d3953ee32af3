"""Several detector processes side by side, each kept running by its own
:class:`~proctor.vision.detector_keeper.DetectorKeeper`.

One inference with one intra-op thread uses a core far better than one inference spread over
two (NanoDet 512 on this 2-core server: 68 ms of CPU a frame against 97 ms), so by default
there is one single-threaded process per usable core. Each inference lane of the analyzer
takes an idle running process, then a sample, so every process has work while samples wait.
A process that crashes, hangs or fails costs only the samples it held: they are "not
analysed", the others keep answering, and its keeper restarts it after the back-off.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence

from proctor.vision.detector_keeper import DetectorKeeper
from proctor.vision.runtime import usable_cores
from proctor.vision.settings import AnalysisSettings
from proctor.vision.worker import DetectorProcess, ModelInfo

MAX_DEFAULT_PROCESSES = 4  # each holds its own model and runtime (~100 MB, docs/vision.md)
START_TIMEOUT_S = 120.0  # at least: loading and warming up a model on a busy server


def detector_processes(settings: AnalysisSettings) -> list[DetectorProcess]:
    """The configured detector processes: ``analysis_detector_processes`` of them (default
    the usable cores, at most :data:`MAX_DEFAULT_PROCESSES`), each with the usable cores
    shared out as intra-op threads unless the detector config sets ``threads``."""
    cores = usable_cores()
    count = settings.analysis_detector_processes or min(cores, MAX_DEFAULT_PROCESSES)
    config = dict(settings.analysis_detector)
    if count > 1:
        config.setdefault("threads", max(1, cores // count))
    start_timeout_s = max(START_TIMEOUT_S, settings.analysis_timeout_s)
    return [DetectorProcess(config, settings.analysis_timeout_s, start_timeout_s)
            for _ in range(count)]


class DetectorPool:
    """The detector processes and their state, for the lifetime of the analyzer."""

    def __init__(self, processes: Sequence[DetectorProcess], restart_after_s: float) -> None:
        if not processes:
            raise ValueError("a detector pool needs at least one process")
        self.keepers = [DetectorKeeper(process, restart_after_s, self._changed)
                        for process in processes]
        self._busy: set[DetectorKeeper] = set()
        self._change = asyncio.Event()  # set (and replaced) when a process starts, stops or frees

    @property
    def size(self) -> int:
        """How many detector processes the pool keeps."""
        return len(self.keepers)

    @property
    def running(self) -> list[DetectorKeeper]:
        """The processes that run and take batches now."""
        return [keeper for keeper in self.keepers if keeper.ready]

    @property
    def model(self) -> ModelInfo | None:
        """The model while any process runs (all load the same configuration)."""
        return next((keeper.model for keeper in self.running if keeper.model), None)

    @property
    def error(self) -> str | None:
        """Why a process is not running (the first one down; None: all run). A sample a
        process failed on is "not analysed" for this reason, even if others still run."""
        return next((keeper.error for keeper in self.keepers if keeper.error), None)

    @property
    def first_start(self) -> bool:
        """Until the first process is ready, while some process still loads for the first
        time: samples then wait instead of counting as an outage."""
        return not self.running and any(keeper.first_start for keeper in self.keepers)

    @property
    def pid(self) -> int | None:
        """The first running process's id (the metrics show one)."""
        return next((pid for pid in self.pids if pid is not None), None)

    @property
    def pids(self) -> list[int | None]:
        """Each process's id while it runs."""
        return [keeper.process.pid for keeper in self.keepers]

    async def keep_running(self) -> None:
        """Keep every process running, each restarted after its own failures."""
        await asyncio.gather(*(keeper.keep_running() for keeper in self.keepers))

    @contextlib.asynccontextmanager
    async def child(self) -> AsyncIterator[DetectorKeeper | None]:
        """An idle running process, held until the block ends; waits while every running
        one is busy. None when none runs (the block's samples are then not analysed)."""
        while True:
            running = self.running
            if not running:
                yield None
                return
            idle = next((keeper for keeper in running if keeper not in self._busy), None)
            if idle is not None:
                break
            await self._change.wait()
        self._busy.add(idle)
        try:
            yield idle
        finally:
            self._busy.discard(idle)
            self._changed()

    def stop(self) -> None:
        """Stop every process."""
        for keeper in self.keepers:
            keeper.stop()

    def _changed(self) -> None:
        """Wake whoever waits for a process (they look again)."""
        self._change.set()
        self._change = asyncio.Event()
