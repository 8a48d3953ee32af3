"""Analysis on remote workers: each sampled picture goes, as a JPEG, to whichever analysis
worker a :class:`SampleChannel` reaches (a NATS queue group, :mod:`proctor.cluster.analysis`),
and the detections that come back go through the node's monitors, rules and events exactly as
a local detector's do.

Pictures are sent one camera at a time and all at once, so the workers share a batch; each
answer is handled as it arrives. A worker that does not answer within the channel's timeout
(gone, or none running) leaves that sample "not analysed", as a local detector that is down
does: the sampler only ever reads the newest frame, so media never waits for analysis.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from proctor.errors import ProctorError
from proctor.vision.detector import Detection
from proctor.vision.inference import Picture, SampleResult, decode_pictures
from proctor.vision.pictures import encode_jpeg
from proctor.vision.sampler import PendingSample, Sampler
from proctor.vision.worker import ModelInfo

logger = logging.getLogger(__name__)
WAITING = "waiting for an analysis worker"
FIRST_IMGSZ = 640  # pictures are shrunk to this until a worker has named its model's size
JPEG_QUALITY = 90


class AnalysisUnavailable(ProctorError):
    """No analysis worker answered (none running, gone, or too slow) or it failed."""


@dataclass(frozen=True)
class RemoteSample:
    """One camera's sampled picture, as a worker receives it."""

    camera_id: int
    at: float  # epoch seconds
    sample_id: int
    jpeg: bytes


@dataclass(frozen=True)
class RemoteAnswer:
    """What a worker found in a :class:`RemoteSample`, and with which model."""

    worker: str
    model: ModelInfo
    detections: list[Detection]


class SampleChannel(Protocol):
    """The way to the workers."""

    async def detect(self, sample: RemoteSample) -> RemoteAnswer:
        """The worker's answer; raises :class:`AnalysisUnavailable`."""
        ...


class RemoteDetection:
    """The workers as the analyzer sees a detector: the model of the latest answer (None
    when the latest sample was not answered), why analysis is down (None: the latest sample
    was answered), and who answered how often."""

    def __init__(self, channel: SampleChannel) -> None:
        self.channel = channel
        self.model: ModelInfo | None = None
        self.error: str | None = WAITING
        self.answered: Counter[str] = Counter()  # answers per worker
        self._ids = itertools.count(1)

    @property
    def pid(self) -> int | None:
        """No detector process runs in this server."""
        return None

    async def keep_running(self) -> None:
        """Nothing to keep running here: the workers are their own processes."""

    def stop(self) -> None:
        """Nothing to stop here."""

    async def detect(self, camera_id: int, sample: PendingSample, picture: Picture
                     ) -> list[Detection] | None:
        """The detections of one camera's picture, or None when no worker answered."""
        jpeg = await asyncio.to_thread(encode_jpeg, picture.detector_input, JPEG_QUALITY)
        try:
            answer = await self.channel.detect(
                RemoteSample(camera_id, sample.at, next(self._ids), jpeg))
        except AnalysisUnavailable as error:
            if self.error != str(error):
                logger.error("cameras not analysed: %s", error)
            self.model, self.error = None, str(error)  # as a local detector that is down
            return None
        self.model, self.error = answer.model, None
        self.answered[answer.worker] += 1
        return answer.detections


class RemoteInferenceLoop:
    """Takes the sampler's batches, has the workers detect, passes each result on."""

    def __init__(self, sampler: Sampler, detection: RemoteDetection,
                 handle: Callable[[SampleResult], Awaitable[None]]) -> None:
        self.sampler = sampler
        self.detection = detection
        self.handle = handle

    async def run(self) -> None:
        """Analyse batches forever; a failed batch is logged and the next one goes on."""
        while True:
            batch = await self.sampler.next_batch()
            try:
                await self.analyse(batch)
            except Exception:  # noqa: BLE001 - one bad batch must not stop analysis
                logger.exception("remote analysis of a batch failed")

    async def analyse(self, batch: dict[int, PendingSample]) -> None:
        """Send every picture of the batch at once; hand on each result as it arrives."""
        model = self.detection.model
        pictures = await asyncio.to_thread(
            decode_pictures, batch, model.imgsz if model is not None else FIRST_IMGSZ)
        asked = [self._ask(camera_id, pending, pictures.get(camera_id))
                 for camera_id, pending in batch.items()]
        for answered in asyncio.as_completed(asked):
            result = await answered
            try:
                await self.handle(result)
            except Exception:  # noqa: BLE001 - one camera's failure must not cost the others
                logger.exception("analysis of a sample failed",
                                 extra={"camera": result.camera_id})

    async def _ask(self, camera_id: int, pending: PendingSample, picture: Picture | None
                   ) -> SampleResult:
        detections = None if picture is None else await self.detection.detect(
            camera_id, pending, picture)
        return SampleResult(camera_id, pending, picture, detections)
