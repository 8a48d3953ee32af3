"""CPU time of a process from /proc, for benchmark figures (100 % = one core)."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int | str) -> float:
    """User + system CPU seconds the process has used so far (PID may also be a /proc path
    such as ``self/task/TID``)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def thread_cpu_seconds(thread: threading.Thread) -> float:
    """User + system CPU seconds a thread of this process has used (0 once it ended)."""
    try:
        return process_cpu_seconds(f"self/task/{thread.native_id}")
    except (FileNotFoundError, ProcessLookupError):
        return 0.0


@dataclass
class CpuMeter:
    """Measures a process's CPU use between :meth:`start` and :meth:`percent`."""

    pid: int
    _cpu0: float = 0.0
    _wall0: float = 0.0

    def start(self) -> None:
        self._cpu0, self._wall0 = process_cpu_seconds(self.pid), time.monotonic()

    def percent(self) -> float:
        """CPU use since :meth:`start`, in percent of one core."""
        wall = time.monotonic() - self._wall0
        return 100 * (process_cpu_seconds(self.pid) - self._cpu0) / wall if wall > 0 else 0.0
