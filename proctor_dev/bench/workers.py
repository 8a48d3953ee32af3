"""``proctor bench workers``: analysis throughput of one node's samples detected locally (a
detector process, batches as the analyzer sends them) versus on ``proctor analysis-worker``
processes fed over a real nats-server's queue group (JPEG requests, as a node with
PROCTOR_ANALYSIS_WORKERS=remote sends them). Real photos (the labelled count set)."""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from proctor.cluster.analysis import NatsSampleChannel
from proctor.cluster.connection import connect_nats
from proctor.config import REPO_ROOT
from proctor.vision.pictures import encode_jpeg
from proctor.vision.remote import JPEG_QUALITY, AnalysisUnavailable, RemoteSample
from proctor.vision.worker import DetectorProcess, fit_to_input
from proctor_dev.bench.detect import load_frames
from proctor_dev.nats import nats_server
from proctor_dev.processes import ManagedProcess

IMGSZ = 640
READY_S = 180.0  # workers load their model (slow on a busy machine)


@dataclass(frozen=True)
class WorkersFigures:
    """What ``proctor bench workers`` prints."""

    workers: int
    samples: int
    in_flight: int
    local_samples_per_s: float
    remote_samples_per_s: float
    remote_p50_ms: float
    remote_p95_ms: float
    unanswered: int
    answered_by: dict[str, int]


async def run_workers_bench(workers: int, samples: int, in_flight: int, threads: int | None,
                            log: Callable[[str], None]) -> WorkersFigures:
    """Time ``samples`` detections locally, then on ``workers`` workers, ``in_flight`` at a
    time (cameras sampled at once); ``threads`` per detector (default all cores)."""
    frames = [fit_to_input(f, IMGSZ) for f in load_frames(REPO_ROOT / "tests/data/counts")]
    config: dict[str, object] = {} if threads is None else {"threads": threads}
    local = await _local_rate(frames, samples, in_flight, config)
    log(f"local: {local:.2f} samples/s")
    with tempfile.TemporaryDirectory() as tmp, nats_server(Path(tmp) / "nats") as server:
        env = {"PROCTOR_ANALYSIS_DETECTOR": json.dumps(config)}
        running = [ManagedProcess.python_module(
            f"w{i}", "proctor", "analysis-worker", "--nats-url", server.url, "--name", f"w{i}",
            env=env, log_path=Path(tmp) / f"w{i}.log").start() for i in range(workers)]
        connection = await connect_nats(server.url, "bench-node")
        try:
            channel = NatsSampleChannel(connection, timeout_s=30.0)
            jpegs = [encode_jpeg(f, JPEG_QUALITY) for f in frames]
            await _all_ready(channel, jpegs[0], workers)
            log(f"{workers} workers ready")
            return await _remote(channel, jpegs, samples, in_flight, workers, local)
        finally:
            await connection.close()
            for process in running:
                process.stop()


async def _local_rate(frames: list[np.ndarray], samples: int, in_flight: int,
                      config: dict[str, object]) -> float:
    """Samples per second through one local detector process, ``in_flight`` per batch."""
    detector = DetectorProcess(dict(config), timeout_s=120.0, start_timeout_s=READY_S)
    await detector.start()
    try:
        await detector.detect(frames[:in_flight])  # warm
        started = time.perf_counter()
        for first in range(0, samples, in_flight):
            size = min(in_flight, samples - first)
            await detector.detect([frames[(first + k) % len(frames)] for k in range(size)])
        return samples / (time.perf_counter() - started)
    finally:
        await asyncio.to_thread(detector.stop)


async def _all_ready(channel: NatsSampleChannel, jpeg: bytes, workers: int) -> None:
    """Until every worker has answered once (NATS spreads requests among the ready ones)."""
    seen: set[str] = set()
    deadline = time.monotonic() + READY_S
    while len(seen) < workers:
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {sorted(seen)} of {workers} workers answered")
        try:
            answers = await asyncio.gather(*(channel.detect(RemoteSample(0, time.time(), i, jpeg))
                                             for i in range(2 * workers)))
            seen |= {answer.worker for answer in answers}
        except AnalysisUnavailable:
            await asyncio.sleep(1.0)


async def _remote(channel: NatsSampleChannel, jpegs: list[bytes], samples: int,
                  in_flight: int, workers: int, local: float) -> WorkersFigures:
    """Send ``samples`` requests, ``in_flight`` at a time, and time them."""
    latencies: list[float] = []
    answered: Counter[str] = Counter()
    unanswered = 0

    async def one(i: int) -> None:
        nonlocal unanswered
        sent = time.perf_counter()
        try:
            answer = await channel.detect(RemoteSample(i % 16, time.time(), i,
                                                       jpegs[i % len(jpegs)]))
        except AnalysisUnavailable:
            unanswered += 1
            return
        latencies.append(time.perf_counter() - sent)
        answered[answer.worker] += 1

    started = time.perf_counter()
    for first in range(0, samples, in_flight):
        await asyncio.gather(*(one(i) for i in range(first, min(samples, first + in_flight))))
    rate = samples / (time.perf_counter() - started)
    ordered = sorted(latencies) or [0.0]
    return WorkersFigures(workers, samples, in_flight, round(local, 2), round(rate, 2),
                          round(1000 * statistics.median(ordered), 1),
                          round(1000 * ordered[int(0.95 * (len(ordered) - 1))], 1),
                          unanswered, dict(sorted(answered.items())))
