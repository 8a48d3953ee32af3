"""The fleet bench's stub processes, seen from the parent: started with a slice each, told
when the day starts, their ownership statuses merged as they arrive, their reports
collected at the end."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from proctor_dev.bench.fleet_stubs import StubReport, StubSlice, StubStatus, run_stub_process

READY_TIMEOUT_S = 300.0  # a spawned process imports the bench and makes its clients


class StubPool:
    """``slices`` run in as many processes (spawned: the parent has threads and a loop)."""

    def __init__(self, slices: list[StubSlice]) -> None:
        context = multiprocessing.get_context("spawn")
        self._pipes: list[Connection] = []
        self._processes: list[BaseProcess] = []
        for work in slices:
            mine, theirs = context.Pipe()
            process = context.Process(target=run_stub_process, args=(work, theirs),
                                      name="fleet-stubs", daemon=True)
            process.start()
            theirs.close()
            self._pipes.append(mine)
            self._processes.append(process)
        self.statuses: list[StubStatus | None] = [None] * len(slices)
        self.reports: list[StubReport | None] = [None] * len(slices)
        # a thread per pipe, waiting for its messages (not the loop's shared default pool)
        self._readers = ThreadPoolExecutor(len(slices), thread_name_prefix="fleet-pipe")

    async def start_day(self) -> float:
        """Wait until every process is ready, then start the day now: its ``t0``."""
        for pipe in self._pipes:
            ready = asyncio.get_running_loop().run_in_executor(self._readers, pipe.poll,
                                                               READY_TIMEOUT_S)
            if not await ready:
                raise TimeoutError(f"a stub process was not ready in {READY_TIMEOUT_S:.0f} s")
            pipe.recv()
        t0 = time.monotonic()
        for pipe in self._pipes:
            pipe.send(t0)
        return t0

    async def listen(self) -> None:
        """Keep the latest status of each process until all have reported."""
        await asyncio.gather(*(self._listen(index) for index in range(len(self._pipes))))

    async def _listen(self, index: int) -> None:
        while self.reports[index] is None:
            try:
                message = await asyncio.get_running_loop().run_in_executor(
                    self._readers, self._pipes[index].recv)
            except (EOFError, OSError):
                raise RuntimeError(f"stub process {index} exited without its report") from None
            if isinstance(message, StubStatus):
                self.statuses[index] = message
            elif isinstance(message, StubReport):
                self.reports[index] = message

    def merged(self) -> StubStatus:
        """The processes' statuses summed; a node counts as down once every process has
        seen it die."""
        statuses = [status for status in self.statuses if status is not None]
        down = frozenset.intersection(*(s.down for s in statuses)) if statuses else frozenset()
        owners = {camera: url for s in statuses for camera, url in s.owners.items()}
        return StubStatus(sum(s.open for s in statuses), sum(s.owned for s in statuses),
                          sum(s.stale for s in statuses), down,
                          sum(s.owned_seconds for s in statuses), owners)

    def stop(self) -> None:
        """End the processes still running (after an error) and close the pipes."""
        for process in self._processes:
            process.join(timeout=5 if all(self.reports) else 0)
            if process.is_alive():
                process.kill()
                process.join()
        for pipe in self._pipes:
            pipe.close()
        self._readers.shutdown(wait=False, cancel_futures=True)
