"""What ``proctor bench live --full`` adds to the live bench: the server also records (the
agent uploads its segments to a real SeaweedFS through the server, which hashes, probes,
stores and chains them) and analyses every camera at ``PROCTOR_ANALYSIS_FPS`` (its sampler
decodes keyframes only; the detector runs in the server's child processes). Together with one
viewer a camera, that is a server's whole per-camera work, measured in one run."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from proctor_dev.bench.cpu import CpuMeter
from proctor_dev.seaweed import EmbeddedSeaweedFS

Metric = Callable[[str], Awaitable[float]]  # the sum of the /metrics samples with a prefix


@dataclass
class WorkFigures:
    """Recording and analysis over the measurement window (zeros without ``--full``)."""

    detector_cpu_pct: float = 0.0  # the server's child processes (detectors), one core = 100
    samples_analysed_per_camera_s: float = 0.0
    samples_dropped: int = 0
    analysis_lag_p95_s: float = 0.0
    segments_stored: int = 0


def child_pids(pid: int) -> list[int]:
    """Every descendant process of ``pid`` (from /proc; gone ones are skipped)."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return found
    for task in tasks:
        try:
            children = [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
        for child in children:
            found += [child, *child_pids(child)]
    return found


class ServerWork:
    """Starts the object store for ``full`` and measures what recording and analysis did."""

    def __init__(self, data_dir: Path, full: bool) -> None:
        self.full = full
        self._database = data_dir / "proctor.db"
        self._store = EmbeddedSeaweedFS(data_dir / "seaweedfs").start() if full else None
        self._meters: list[CpuMeter] = []
        self._start: dict[str, float] = {}

    def server_env(self) -> dict[str, str]:
        """The server's settings: analysis on or off, and the store when recording."""
        store = self._store.server_env() if self._store is not None else {}
        return {"PROCTOR_ANALYSIS_ENABLED": str(self.full).lower(), **store}

    async def start(self, server_pid: int, metric: Metric) -> None:
        """Begin the measurement window."""
        self._meters = [CpuMeter(pid) for pid in child_pids(server_pid)]
        for meter in self._meters:
            meter.start()
        self._start = {"analysed": await metric("proctor_analysis_analysed_total "),
                       "dropped": await metric("proctor_analysis_dropped_total "),
                       "segments": self._segments()}

    async def finish(self, metric: Metric, elapsed_s: float, cameras: int) -> WorkFigures:
        """The figures since :meth:`start`."""
        if not self.full:
            return WorkFigures()
        analysed = await metric("proctor_analysis_analysed_total ") - self._start["analysed"]
        return WorkFigures(
            detector_cpu_pct=round(sum(_percent(m) for m in self._meters), 1),
            samples_analysed_per_camera_s=round(analysed / elapsed_s / cameras, 2),
            samples_dropped=round(await metric("proctor_analysis_dropped_total ")
                                  - self._start["dropped"]),
            analysis_lag_p95_s=round(await metric("proctor_analysis_lag_p95_seconds "), 2),
            segments_stored=self._segments() - round(self._start["segments"]))

    def _segments(self) -> int:
        with sqlite3.connect(self._database) as db:
            (count,) = db.execute("SELECT count(*) FROM segments").fetchone()
        return int(count)

    def stop(self) -> None:
        """Stop the object store."""
        if self._store is not None:
            self._store.stop()


def _percent(meter: CpuMeter) -> float:
    try:
        return meter.percent()
    except (FileNotFoundError, ProcessLookupError):  # a detector that ended meanwhile
        return 0.0
