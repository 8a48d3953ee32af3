"""The detector in its own process, so that a crash in native inference code (or a model
that hangs) costs analysis, never the server and its live video.

The parent sends a batch of frames and waits for the detections with a timeout; if the child
dies or stops answering, :meth:`DetectorProcess.detect` raises :class:`DetectorUnavailable`
and the child is killed. The analyzer then marks its cameras "not analysed" and starts a new
child after a back-off.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Literal, TypeAlias

import cv2
import numpy as np

from proctor.errors import ProctorError
from proctor.vision.detector import Detection

logger = logging.getLogger(__name__)


class DetectorUnavailable(ProctorError):
    """The detector process is not running, crashed, or did not answer in time."""


@dataclass(frozen=True)
class ModelInfo:
    """Which model the detector process loaded (goes into every event's explanation)."""

    name: str
    sha256: str
    backend: str
    imgsz: int
    labels: frozenset[str]


Reply: TypeAlias = (tuple[Literal["ready"], ModelInfo]
                    | tuple[Literal["ok"], list[list[Detection]]]
                    | tuple[Literal["failed", "error"], str])
"""What the child sends up the pipe (see :func:`_serve`)."""


def fit_to_input(frame: np.ndarray, imgsz: int) -> np.ndarray:
    """Shrink ``frame`` so its longer side is ``imgsz`` (the detector letterboxes to that
    anyway; boxes are normalised, so they are unchanged). Cuts what crosses the pipe."""
    height, width = frame.shape[:2]
    scale = imgsz / max(height, width)
    if scale >= 1:
        return frame
    return cv2.resize(frame, (round(width * scale), round(height * scale)),
                      interpolation=cv2.INTER_AREA)


def _serve(config_data: dict[str, Any], connection: Connection) -> None:
    """Child process: load the detector, report it, then answer batches until told to stop."""
    from proctor.vision.detectors import create_detector, detector_config

    try:
        detector = create_detector(detector_config(config_data))
        detector.detect([np.zeros((detector.settings.imgsz, detector.settings.imgsz, 3),
                                  np.uint8)])  # warm up: first inference compiles
    except Exception as error:  # noqa: BLE001 - reported to the parent, which decides
        connection.send(("failed", f"{type(error).__name__}: {error}"))
        return
    labels = frozenset(detector.spec.classes.values())
    connection.send(("ready", ModelInfo(detector.spec.name, detector.spec.sha256,
                                        detector.type_key, detector.settings.imgsz, labels)))
    while True:
        frames = connection.recv()
        if frames is None:
            return
        try:
            connection.send(("ok", detector.detect(frames)))
        except Exception as error:  # noqa: BLE001 - one bad batch must not end the process
            connection.send(("error", f"{type(error).__name__}: {error}"))


class DetectorProcess:
    """A detector running in a child process, with one batch in flight at a time."""

    def __init__(self, config_data: dict[str, Any], timeout_s: float, start_timeout_s: float
                 ) -> None:
        self.config_data = config_data
        self.timeout_s = timeout_s
        self.start_timeout_s = start_timeout_s
        self.model: ModelInfo | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        self._connection: Connection | None = None

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs."""
        process = self._process  # read once: stop() may clear it meanwhile
        return process.pid if process is not None and process.is_alive() else None

    async def start(self) -> ModelInfo:
        """Start the child and wait until its model is loaded and warmed up."""
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(target=_serve, args=(self.config_data, child),
                                  name="proctor-detector", daemon=True)
        process.start()
        child.close()
        self._process, self._connection = process, parent
        reply = await self._receive(self.start_timeout_s, "load its model")
        if reply[0] != "ready":
            self.stop(graceful=False)
            raise DetectorUnavailable(f"detector failed to start: {reply[1]}")
        self.model = payload = reply[1]
        logger.info("detector ready", extra={"model": payload.name, "backend": payload.backend,
                                             "pid": process.pid})
        return payload

    async def detect(self, frames: list[np.ndarray]) -> list[list[Detection]]:
        """Detections for each frame; raises :class:`DetectorUnavailable` if the child fails."""
        if self._connection is None or self.model is None:
            raise DetectorUnavailable("detector is not running")
        imgsz = self.model.imgsz
        batch = [fit_to_input(frame, imgsz) for frame in frames]
        try:
            await asyncio.to_thread(self._connection.send, batch)
        except (OSError, ValueError) as error:
            raise await self._died() from error
        reply = await self._receive(self.timeout_s, "answer")
        if reply[0] == "ok":
            return reply[1]
        self.stop(graceful=False)  # restarted cleanly by the analyzer, like a crash
        raise DetectorUnavailable(f"detector failed on a batch: {reply[1]}")

    async def _receive(self, timeout_s: float, doing: str) -> Reply:
        connection = self._connection
        assert connection is not None
        try:
            ready = await asyncio.to_thread(connection.poll, timeout_s)
            if not ready:
                raise DetectorUnavailable(f"detector did not {doing} within {timeout_s:.0f} s")
            reply: Reply = await asyncio.to_thread(connection.recv)  # the child sends only these
            return reply
        except (EOFError, OSError) as error:
            raise await self._died() from error
        except DetectorUnavailable:
            self.stop(graceful=False)
            raise
        finally:
            if self._process is not None and not self._process.is_alive():
                self.stop(graceful=False)

    async def _died(self) -> DetectorUnavailable:
        """The error for a child that went away, with its exit code (e.g. -9: killed)."""
        process = self._process
        if process is not None:
            await asyncio.to_thread(process.join, 1.0)
        code = process.exitcode if process is not None else None
        self.stop(graceful=False)
        return DetectorUnavailable(f"detector process died (exit code {code})")

    def stop(self, graceful: bool = True) -> None:
        """Ask the child to finish (graceful), or kill it at once (it failed or hangs)."""
        process, connection = self._process, self._connection
        self._process = self._connection = None
        self.model = None
        if connection is not None:
            if graceful:
                with contextlib.suppress(OSError, ValueError):
                    connection.send(None)
            connection.close()
        if process is not None:
            process.join(timeout=2 if graceful else 0)
            if process.is_alive():
                process.kill()
                process.join(timeout=2)
