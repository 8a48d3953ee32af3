"""A benchmark's record of when each live frame left the agent (``PROCTOR_EDGE_SEND_LOG``).

A pre-encoded clip carries a frame index in its pixels, not a time; the bench joins a
viewer's decoded index with this record to get glass-to-glass latency without encoding live.
One line per access unit handed to the live track: ``camera stream pts wall_ms`` (pts on the
90 kHz clock, wall clock in milliseconds). Only set for benchmarks: it writes 15 lines/s per
camera at 15 fps.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import TextIO

from edge_agent.pipeline import CameraPipeline
from proctor.rtc.h264 import H264Packet

SEND_LOG_ENV = "PROCTOR_EDGE_SEND_LOG"


class SendLog:
    """Appends a line per packet of the pipelines it is attached to; thread-safe."""

    def __init__(self, path: Path) -> None:
        self._file: TextIO = path.open("a", buffering=1)
        self._lock = threading.Lock()

    def attach(self, pipeline: CameraPipeline) -> None:
        """Log every packet ``pipeline`` reads from now on."""
        label = f"{pipeline.camera.id} {pipeline.stream}"

        def tap(packet: H264Packet) -> None:
            line = f"{label} {packet.pts} {int(time.time() * 1000)}\n"
            with self._lock:
                if not self._file.closed:  # a camera thread may outlive the agent's stop
                    self._file.write(line)

        pipeline.taps.append(tap)

    def close(self) -> None:
        """Flush and close the file."""
        with self._lock:
            self._file.close()


def send_log_from_env(pipelines: list[CameraPipeline]) -> SendLog | None:
    """A send log on ``pipelines`` if ``PROCTOR_EDGE_SEND_LOG`` names a file, else None."""
    path = os.environ.get(SEND_LOG_ENV)
    if not path:
        return None
    log = SendLog(Path(path))
    for pipeline in pipelines:
        log.attach(pipeline)
    return log
