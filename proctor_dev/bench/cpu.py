"""CPU time of a process from /proc, for benchmark figures (100 % = one core)."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

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


def resident_mb(pid: int) -> float:
    """The process's resident memory (VmRSS), in MiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
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


def machine_cpu_seconds() -> tuple[float, float]:
    """``(busy, total)`` CPU seconds of the whole machine so far, summed over its cores."""
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:9]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields) - idle) / _TICKS, sum(fields) / _TICKS


def run_queue_wait_seconds(pid: int) -> float:
    """Seconds the process's threads have spent runnable but waiting for a CPU (the sum of
    each thread's ``/proc/PID/task/TID/schedstat`` second field; threads that ended are lost)."""
    total_ns = 0
    for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            total_ns += int(stat.read_text().split()[1])
    return total_ns / 1e9
