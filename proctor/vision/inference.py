"""Inference lanes: one per detector process. A lane takes an idle running process, then the
camera sample that has waited longest, and hands its result on; so every process has a
sample while samples wait, and a sample waits for no one else's batch."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import cv2
import numpy as np

from proctor.vision.detector import Detection
from proctor.vision.detector_keeper import DetectorKeeper
from proctor.vision.detector_pool import DetectorPool
from proctor.vision.sampler import PendingSample, Sampler
from proctor.vision.tamper import FrameStats, frame_stats
from proctor.vision.worker import fit_to_input

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Picture:
    """A sampled frame, ready for the monitor and the detector."""

    bgr: np.ndarray  # full size, for the event snapshot
    detector_input: np.ndarray  # shrunk to the model's input size
    luma: np.ndarray
    stats: FrameStats


@dataclass(frozen=True)
class SampleResult:
    """One camera's sample after inference."""

    camera_id: int
    sample: PendingSample
    picture: Picture | None  # None: no new frame
    detections: list[Detection] | None  # None: not analysed (no picture, detector down)


def decode_pictures(batch: dict[int, PendingSample], imgsz: int | None) -> dict[int, Picture]:
    """The decoded picture of each pending sample that has a frame (run in a worker thread:
    this is the per-camera pixel work, kept off the event loop)."""
    pictures = {}
    for camera_id, pending in batch.items():
        if pending.frame is not None:
            bgr = pending.frame.to_ndarray(format="bgr24")
            luma = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
            pictures[camera_id] = Picture(bgr, fit_to_input(bgr, imgsz) if imgsz else bgr,
                                          luma, frame_stats(luma))
    return pictures


class InferenceLoop:
    """Takes the sampler's samples, detects, and passes each camera's result on."""

    def __init__(self, sampler: Sampler, detectors: DetectorPool,
                 handle: Callable[[SampleResult], Awaitable[None]],
                 per_lane: int = 1) -> None:
        """``per_lane``: samples a lane takes at a time (longest waiting first)."""
        self.sampler = sampler
        self.detectors = detectors
        self.handle = handle
        self.per_lane = per_lane

    async def run(self) -> None:
        """Analyse forever, one lane per detector process."""
        await asyncio.gather(*(self._lane() for _ in range(self.detectors.size)))

    async def _lane(self) -> None:
        """Take a process, then samples, and analyse them."""
        while True:
            async with self.detectors.child() as detector:
                batch = await self.sampler.next_batch(self.per_lane)
                if detector is not None:
                    await self._analyse(batch, detector)
                    continue
            # none ran when the lane began to wait for samples: one may have started since
            async with self.detectors.child() as detector:
                await self._analyse(batch, detector)

    async def _analyse(self, batch: dict[int, PendingSample],
                       detector: DetectorKeeper | None) -> None:
        """:meth:`analyse`; a failed batch is logged and the next one goes on."""
        try:
            await self.analyse(batch, detector)
        except Exception:  # noqa: BLE001 - one bad batch must not stop analysis
            logger.exception("analysis of a batch failed")

    async def analyse(self, batch: dict[int, PendingSample],
                      detector: DetectorKeeper | None) -> None:
        """Detect on the batch's pictures with ``detector`` (None: none runs) and hand on
        every camera's result."""
        if self.detectors.first_start:  # the model is loading at server start: not an outage
            batch = {c: p for c, p in batch.items() if p.frame is None}
        model = detector.model if detector is not None else None
        pictures = await asyncio.to_thread(decode_pictures, batch,
                                           model.imgsz if model is not None else None)
        with_picture = list(pictures)
        detections = None if detector is None else await detector.detect(
            [pictures[c].detector_input for c in with_picture])
        found = dict(zip(with_picture, detections, strict=True)) if detections else {}
        for camera_id, pending in batch.items():
            try:
                await self.handle(SampleResult(camera_id, pending, pictures.get(camera_id),
                                               found.get(camera_id)))
            except Exception:  # noqa: BLE001 - one camera's failure must not cost the others
                logger.exception("analysis of a sample failed", extra={"camera": camera_id})
