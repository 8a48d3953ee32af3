"""Keeps the detector process running: starts it, notices when it fails, restarts it after a
back-off, and says why analysis is down meanwhile."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import numpy as np

from proctor.vision.detector import Detection
from proctor.vision.worker import DetectorProcess, DetectorUnavailable, ModelInfo

logger = logging.getLogger(__name__)
STARTING = "detector starting"


class DetectorKeeper:
    """The detector process and its state, for the lifetime of the analyzer."""

    def __init__(self, process: DetectorProcess, restart_after_s: float,
                 on_change: Callable[[], None] | None = None) -> None:
        """``on_change`` is called whenever the detector becomes ready or goes down."""
        self.process = process
        self.restart_after_s = restart_after_s
        self.on_change = on_change
        self.error: str | None = STARTING  # why it is not running (None: it runs)
        self.first_start = True  # until the detector is first ready (or fails to start)
        self._ready = asyncio.Event()
        self._failed = asyncio.Event()

    @property
    def model(self) -> ModelInfo | None:
        """The model while the detector runs."""
        return self.process.model

    @property
    def ready(self) -> bool:
        """Whether the detector runs and takes batches."""
        return self._ready.is_set()

    async def keep_running(self) -> None:
        """Start the detector, and start it again after every failure (never gives up)."""
        while True:
            try:
                await self.process.start()
            except DetectorUnavailable as error:
                self._down(str(error))
            except Exception as error:  # noqa: BLE001 - e.g. cannot spawn: retry, never give up
                logger.exception("starting the detector failed")
                self.process.stop(graceful=False)
                self._down(f"{type(error).__name__}: {error}")
            else:
                self.error = None
                self.first_start = False
                self._failed.clear()
                self._ready.set()
                self._changed()
                await self._failed.wait()
            await asyncio.sleep(self.restart_after_s)

    async def detect(self, frames: list[np.ndarray]) -> list[list[Detection]] | None:
        """Detections per frame, or None when there is nothing to do or the detector is down
        (a failure here marks it down; :meth:`keep_running` restarts it)."""
        if not frames or not self._ready.is_set():
            return None
        try:
            return await self.process.detect(frames)
        except DetectorUnavailable as error:
            self._down(str(error))
            return None

    def stop(self) -> None:
        """Stop the detector process."""
        self.process.stop()

    def _down(self, reason: str) -> None:
        self.first_start = False
        logger.error("detector unavailable, cameras not analysed: %s", reason)
        self.error = reason
        self._ready.clear()
        self._failed.set()
        self._changed()

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()
