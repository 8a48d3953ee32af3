"""Detection at the edge (``[detection]`` in agent.toml): the agent runs the detector on its
own cameras' key frames and sends what it saw to the server
(``POST /api/cameras/{id}/observations``), which applies the same rules, events and alerts
as its own analysis, and stops sampling those cameras itself while observations come.

- **Which frames**: every camera pipeline hands its H.264 packets to a :class:`KeyframeTap`;
  up to ``fps`` times a second the observer takes the newest *key frame* and decodes just
  that one (a key frame needs no other frame), so the agent never decodes the whole
  stream. A camera sends one key frame per ``gop_seconds`` (1 s by default), so that is also
  the most samples it gives.
- **No picture**: when no packet at all arrived since the last round, the sample says so
  (the server's ``stream_lost``); packets without a new key frame yet give no sample.
- **What is sent**: the sample time on the server's clock, the picture's tamper statistics
  and the boxes found (:class:`proctor.vision.observation.Observation`); unsent samples wait
  (at most :data:`~proctor.vision.observation.MAX_OBSERVATIONS` per camera, the oldest go
  first) while the server is unreachable.
- **Without the vision extra** (no detector packages or no model pulled) the agent logs why
  and runs as without ``[detection]``: it publishes and records as always, and the server
  analyses the cameras itself.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import av
import httpx
import numpy as np

from edge_agent.config import DetectionConfig
from edge_agent.pipeline import CameraPipeline
from proctor.rtc.h264 import H264Packet
from proctor.vision.observation import MAX_OBSERVATIONS, Observation, Observations
from proctor.vision.tamper import frame_stats

if TYPE_CHECKING:
    from proctor.vision.detector import Detector

logger = logging.getLogger(__name__)


class KeyframeTap:
    """Keeps a camera's newest key frame as it passes (called on the pipeline's thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keyframe: tuple[float, bytes] | None = None
        self._packets = 0

    def __call__(self, packet: H264Packet) -> None:
        received = time.time()
        with self._lock:
            self._packets += 1
            if packet.is_keyframe:
                self._keyframe = (received, bytes(packet))

    def take(self) -> tuple[int, tuple[float, bytes] | None]:
        """Packets seen and the newest key frame (with its arrival time) since the last take."""
        with self._lock:
            taken = self._packets, self._keyframe
            self._packets, self._keyframe = 0, None
        return taken


class CameraObserver:
    """One camera's decoder and the observations waiting to be sent."""

    def __init__(self, camera_id: int, tap: KeyframeTap) -> None:
        self.camera_id = camera_id
        self.tap = tap
        self.waiting: deque[Observation] = deque(maxlen=MAX_OBSERVATIONS)
        self._decoder = av.CodecContext.create("h264", "r")

    def decode(self, data: bytes) -> np.ndarray | None:
        """A key frame as a BGR picture (None when it does not decode on its own)."""
        try:
            frames = self._decoder.decode(av.Packet(data))
        except av.error.FFmpegError as error:
            logger.warning("key frame did not decode: %s", error,
                           extra={"camera": self.camera_id})
            return None
        return frames[-1].to_ndarray(format="bgr24") if frames else None


class EdgeObserver:
    """Samples every camera's key frames, detects, and sends the observations."""

    def __init__(self, cameras: Sequence[CameraObserver], detector: Detector,
                 http: httpx.AsyncClient, server_url: str,
                 clock_offset_ms: Callable[[], float | None], fps: float) -> None:
        self.cameras = cameras
        self.detector = detector
        self.sent = 0
        self._http = http
        self._url = server_url.rstrip("/") + "/api/cameras/{}/observations"
        self._offset_ms = clock_offset_ms
        self._period_s = 1.0 / fps

    async def run(self) -> None:
        """Observe and send forever, one round every ``1 / fps`` seconds."""
        while True:
            started = time.monotonic()
            for camera in self.cameras:
                await self.observe(camera)
                await self.send(camera)
            await asyncio.sleep(max(0.0, self._period_s - (time.monotonic() - started)))

    async def observe(self, camera: CameraObserver) -> None:
        """Take the camera's newest key frame, if any, and queue its observation."""
        packets, keyframe = camera.tap.take()
        offset_s = (self._offset_ms() or 0.0) / 1000
        if packets == 0:
            camera.waiting.append(Observation.of(time.time() + offset_s, None, None))
            return
        if keyframe is None:
            return  # video flows, the next key frame is not there yet
        received, data = keyframe
        observation = await asyncio.to_thread(self._analyse, camera, received + offset_s, data)
        if observation is not None:
            camera.waiting.append(observation)

    def _analyse(self, camera: CameraObserver, at: float, data: bytes) -> Observation | None:
        picture = camera.decode(data)
        if picture is None:
            return None
        luma = np.ascontiguousarray(picture[:, :, 1])  # green: close to luma, no conversion
        return Observation.of(at, frame_stats(luma), self.detector.detect([picture])[0],
                              model=self.detector.spec.name)

    async def send(self, camera: CameraObserver) -> None:
        """Send the camera's waiting observations; they stay queued if the server is away."""
        if not camera.waiting:
            return
        body = Observations(observations=list(camera.waiting))
        try:
            response = await self._http.post(self._url.format(camera.camera_id),
                                             content=body.model_dump_json(),
                                             headers={"Content-Type": "application/json"})
        except httpx.HTTPError as error:
            logger.warning("observations not sent, kept for later: %s", error,
                           extra={"camera": camera.camera_id})
            return
        if response.status_code >= 500:
            logger.warning("server answered %d to observations, kept for later",
                           response.status_code, extra={"camera": camera.camera_id})
            return
        if response.status_code >= 400:  # refused for good: say why, drop them
            logger.error("server refused observations (%d): %s", response.status_code,
                         response.text[:300], extra={"camera": camera.camera_id})
        else:
            self.sent += len(body.observations)
        camera.waiting.clear()


def load_edge_detector(settings: dict[str, Any]) -> Detector | None:
    """The detector the ``[detection]`` section names, or None (logged) when this box lacks
    the vision extra or the model: the agent then works without detection."""
    try:
        from proctor.vision.detectors import create_detector, detector_config

        return create_detector(detector_config(settings))
    except Exception as error:  # noqa: BLE001 - any missing part means: no edge detection
        logger.error("detection at the edge is off: %s (install the vision extra and run "
                     "'proctor models pull' on this box)", error)
        return None


async def start_edge_observer(detection: DetectionConfig, pipelines: Sequence[CameraPipeline],
                              http: httpx.AsyncClient, server_url: str,
                              clock_offset_ms: Callable[[], float | None]
                              ) -> EdgeObserver | None:
    """Tap each pipeline (a camera's live stream: its sub stream when it has one) and build
    the observer; None when the detector cannot be loaded here."""
    detector = await asyncio.to_thread(load_edge_detector, detection.detector)
    if detector is None:
        return None
    cameras = []
    for pipeline in pipelines:
        tap = KeyframeTap()
        pipeline.taps.append(tap)
        cameras.append(CameraObserver(pipeline.camera.id, tap))
    logger.info("detecting at the edge on %d camera(s) with %s, %.1f samples/s",
                len(cameras), detector.spec.name, detection.fps)
    return EdgeObserver(cameras, detector, http, server_url, clock_offset_ms, detection.fps)
