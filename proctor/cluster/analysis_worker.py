"""``proctor analysis-worker``: detects on the samples NATS hands it from the queue group.

It runs the configured detector in its own process (:class:`DetectorProcess`, as a node
does), takes the samples that wait (up to ``max_batch``) as one batch, and replies to each.
A sample whose node stopped waiting is skipped. A detector that fails answers the batch with
the reason and is started again; one that cannot start ends the worker (its supervisor
restarts it).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

import cv2
import numpy as np

from proctor.cluster.analysis import (
    SAMPLES_SUBJECT,
    WORKERS_QUEUE,
    answer_payload,
    failure_payload,
    read_sample,
)
from proctor.vision.worker import DetectorProcess, DetectorUnavailable

if TYPE_CHECKING:
    from nats.aio.client import Client
    from nats.aio.msg import Msg

logger = logging.getLogger(__name__)


class AnalysisWorker:
    """One worker: a detector process serving the queue group."""

    def __init__(self, name: str, detector: DetectorProcess, max_batch: int = 8) -> None:
        self.name = name
        self.detector = detector
        self.max_batch = max_batch
        self.answered = 0
        self.skipped = 0  # samples their node no longer waited for
        self._queue: asyncio.Queue[Msg] = asyncio.Queue()

    async def serve(self, connection: Client) -> None:
        """Start the detector, join the queue group and answer samples until cancelled."""
        model = await self.detector.start()
        logger.info("analysis worker %s ready with %s", self.name, model.name)
        subscription = await connection.subscribe(SAMPLES_SUBJECT, queue=WORKERS_QUEUE,
                                                  cb=self._queue.put)
        try:
            while True:
                await self._answer(await self._next_batch())
        finally:
            await subscription.unsubscribe()
            await asyncio.to_thread(self.detector.stop)

    async def _next_batch(self) -> list[tuple[Msg, np.ndarray]]:
        """The waiting samples still wanted, decoded (waits for at least one)."""
        batch: list[tuple[Msg, np.ndarray]] = []
        while not batch:
            messages = [await self._queue.get()]
            while len(messages) < self.max_batch and not self._queue.empty():
                messages.append(self._queue.get_nowait())
            for message in messages:
                picture = self._wanted(message)
                if picture is not None:
                    batch.append((message, picture))
        return batch

    def _wanted(self, message: Msg) -> np.ndarray | None:
        """The sample's picture, or None when it is malformed or its node gave up on it."""
        try:
            sample, deadline = read_sample(message.headers, message.data)
        except (ValueError, KeyError) as error:
            logger.warning("malformed sample skipped: %s", error)
            return None
        if time.time() > deadline:
            self.skipped += 1
            return None
        picture = cv2.imdecode(np.frombuffer(sample.jpeg, np.uint8), cv2.IMREAD_COLOR)
        return picture if picture is not None and picture.size else None

    async def _answer(self, batch: list[tuple[Msg, np.ndarray]]) -> None:
        """Detect on the batch and reply to each sample."""
        try:
            found = await self.detector.detect([picture for _, picture in batch])
        except DetectorUnavailable as error:
            logger.error("detector failed, restarting it: %s", error)
            for message, _ in batch:
                await message.respond(failure_payload(self.name, str(error)))
            await self.detector.start()
            return
        model = self.detector.model
        assert model is not None  # it just answered
        for (message, _), detections in zip(batch, found, strict=True):
            await message.respond(answer_payload(self.name, model, detections))
        self.answered += len(batch)
