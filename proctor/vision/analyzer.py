"""The live analyzer: samples every live camera, detects in batches, applies the rules and
records and pushes the resulting events.

- A **sampler** takes each camera's newest decoded frame ``analysis_fps`` times a second.
  It only reads :attr:`CameraFeed.latest`, so the live path never waits for analysis.
  A sample not yet analysed when the next one is taken is replaced (counted as dropped):
  a slow detector drops samples, never video.
- An **inference loop** sends all waiting samples, one per camera, to the detector process
  as one batch, then runs each camera's :class:`CameraMonitor` and records transitions.
- A **supervisor** keeps the detector process running. While it is down, samples are still
  checked for tamper (no model needed) and each camera has a ``not_analysed`` event.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import av
import cv2
import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from proctor.db.session import session_scope
from proctor.media.feed import FeedRegistry
from proctor.vision.alerts import AlertHub
from proctor.vision.events import EventLog, EventView
from proctor.vision.monitor import CameraMonitor, CameraState, Sample
from proctor.vision.rules import DESCRIPTIONS, EventKind, Transition
from proctor.vision.scenes import (
    StoredScene, encode_jpeg, load_scene, save_reference, scene_versions,
)
from proctor.vision.settings import AnalysisSettings
from proctor.vision.tamper import FrameStats, frame_stats
from proctor.vision.worker import DetectorProcess, DetectorUnavailable, ModelInfo, fit_to_input

logger = logging.getLogger(__name__)

SCENE_REFRESH_S = 15.0  # scene changes made outside the API (CLI) apply within this
SNAPSHOT_GRACE_S = 10.0  # at shutdown, how long snapshot uploads may still take
MODEL_RULES = {EventKind.EXTRA_PERSON, EventKind.PERSON_MISSING, EventKind.SEAT_EMPTY,
               EventKind.SEAT_SHARED, EventKind.INVIGILATOR_AWAY, EventKind.PHONE}


@dataclass
class _Pending:
    at: float
    frame: av.VideoFrame | None


@dataclass
class AnalyzerStats:
    """Counters for metrics and ``proctor bench analyze``."""

    samples: int = 0
    analysed: int = 0
    dropped: int = 0
    lag_s: deque[float] = field(default_factory=lambda: deque(maxlen=2000))


class Analyzer:
    """Analysis of every live camera for the lifetime of the server."""

    def __init__(self, settings: AnalysisSettings, feeds: FeedRegistry,
                 session_factory: sessionmaker[Session], events: EventLog, hub: AlertHub,
                 detector: DetectorProcess) -> None:
        self.settings = settings
        self.feeds = feeds
        self.session_factory = session_factory
        self.events = events
        self.hub = hub
        self.detector = detector
        self.stats = AnalyzerStats()
        self.detector_error: str | None = "detector starting"
        self._first_start = True  # until the detector is first ready (or fails to start)
        self._monitors: dict[int, CameraMonitor] = {}
        self._scene_versions: dict[int, datetime | None] = {}
        self._restored: set[int] = set()
        self._last_frames: dict[int, av.VideoFrame] = {}
        self._pending: dict[int, _Pending] = {}
        self._wake = asyncio.Event()
        self._detector_ready = asyncio.Event()
        self._detector_failed = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._snapshot_tasks: set[asyncio.Task[None]] = set()

    @classmethod
    def build(cls, settings: AnalysisSettings, feeds: FeedRegistry,
              session_factory: sessionmaker[Session], events: EventLog, hub: AlertHub
              ) -> Analyzer:
        """An analyzer for the configured detector (checked by ``proctor.app.check_analysis``)."""
        detector = DetectorProcess(settings.analysis_detector, settings.analysis_timeout_s,
                                   start_timeout_s=max(120.0, settings.analysis_timeout_s))
        return cls(settings, feeds, session_factory, events, hub, detector)

    async def start(self) -> None:
        """Continue open events, then start sampling, inference and the detector."""
        for view, severity in await asyncio.to_thread(self.events.open_events):
            monitor = await self._monitor(view.camera_id)
            monitor.restore(view.kind, view.zone, view.started_at.timestamp(), view.peak,
                            severity)
            self._restored.add(view.camera_id)
        self._tasks = [asyncio.create_task(coro, name=name) for name, coro in (
            ("analysis-detector", self._keep_detector()),
            ("analysis-sampler", self._sample_forever()),
            ("analysis-inference", self._infer_forever()),
            ("analysis-scenes", self._refresh_scenes_forever()))]

    async def close(self) -> None:
        """Stop the tasks and the detector process (open events stay open in the database);
        snapshots being stored are given a moment to finish."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._snapshot_tasks:
            await asyncio.wait(self._snapshot_tasks, timeout=SNAPSHOT_GRACE_S)
        await asyncio.to_thread(self.detector.stop)

    @property
    def model(self) -> ModelInfo | None:
        """The detector's model while it runs."""
        return self.detector.model

    def camera_state(self, camera_id: int) -> dict[str, Any] | None:
        """The camera's latest analysis state, as pushed to consoles (None: not analysed yet)."""
        monitor = self._monitors.get(camera_id)
        if monitor is None or monitor.state is None:
            return None
        return self._state_message(camera_id, monitor.state)

    async def reload_scene(self, camera_id: int) -> None:
        """Apply changed scene settings or reference of a camera (open events carry on)."""
        monitor = self._monitors.get(camera_id)
        if monitor is None:
            return
        stored = await asyncio.to_thread(self._load_scene, camera_id)
        monitor.scene = stored.settings
        monitor.set_reference(stored.reference)

    async def _refresh_scenes_forever(self) -> None:
        while True:
            await asyncio.sleep(SCENE_REFRESH_S)
            try:
                for camera_id, version in (await asyncio.to_thread(self._versions)).items():
                    if (camera_id in self._monitors
                            and self._scene_versions.get(camera_id) != version):
                        await self.reload_scene(camera_id)
            except Exception:  # noqa: BLE001 - e.g. the database is briefly locked: next round
                logger.exception("checking for scene changes failed")

    def _versions(self) -> dict[int, datetime]:
        with session_scope(self.session_factory) as db:
            return scene_versions(db)

    # -- detector -------------------------------------------------------------------------

    async def _keep_detector(self) -> None:
        while True:
            try:
                await self.detector.start()
            except DetectorUnavailable as error:
                self._detector_down(str(error))
            except Exception as error:  # noqa: BLE001 - e.g. cannot spawn: retry, never give up
                logger.exception("starting the detector failed")
                self.detector.stop(graceful=False)
                self._detector_down(f"{type(error).__name__}: {error}")
            else:
                self.detector_error = None
                self._first_start = False
                self._detector_failed.clear()
                self._detector_ready.set()
                await self._detector_failed.wait()
            await asyncio.sleep(self.settings.analysis_restart_after_s)

    def _detector_down(self, reason: str) -> None:
        self._first_start = False
        logger.error("detector unavailable, cameras not analysed: %s", reason)
        self.detector_error = reason
        self._detector_ready.clear()
        self._detector_failed.set()

    async def _detect(self, frames: list[np.ndarray]) -> list[list[Any]] | None:
        if not frames or not self._detector_ready.is_set():
            return None
        try:
            return await self.detector.detect(frames)
        except DetectorUnavailable as error:
            self._detector_down(str(error))
            return None

    # -- sampling -------------------------------------------------------------------------

    async def _sample_forever(self) -> None:
        period = 1.0 / self.settings.analysis_fps
        while True:
            started = time.monotonic()  # pacing; sample times are wall-clock (events need them)
            self._take_samples(time.time())
            await asyncio.sleep(max(0.0, period - (time.monotonic() - started)))

    def _take_samples(self, now: float) -> None:
        for camera_id, feed in self.feeds.items():
            if feed.frames_received == 0 and camera_id not in self._restored:
                continue  # never published since start, nothing to continue: idle
            frame = feed.latest
            fresh = frame is not None and frame is not self._last_frames.get(camera_id)
            if fresh:
                self._last_frames[camera_id] = frame  # type: ignore[assignment]
            waiting = self._pending.get(camera_id)
            if waiting is not None:
                self.stats.dropped += 1
                if not fresh:  # keep the unanalysed picture rather than report "no picture"
                    frame, fresh = waiting.frame, waiting.frame is not None
            self._pending[camera_id] = _Pending(now, frame if fresh else None)
            self.stats.samples += 1
        if self._pending:
            self._wake.set()

    # -- inference ------------------------------------------------------------------------

    async def _infer_forever(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            batch, self._pending = self._pending, {}
            try:
                await self._analyse(batch)
            except Exception:  # noqa: BLE001 - one bad batch must not stop analysis
                logger.exception("analysis of a batch failed")

    async def _analyse(self, batch: dict[int, _Pending]) -> None:
        if self._first_start:  # the model is loading at server start: not an outage
            batch = {c: p for c, p in batch.items() if p.frame is None}
        imgsz = self.model.imgsz if self.model is not None else None
        pictures = await asyncio.to_thread(_decode_pictures, batch, imgsz)
        with_picture = list(pictures)
        detections = await self._detect([pictures[c].detector_input for c in with_picture])
        found = dict(zip(with_picture, detections, strict=True)) if detections else {}
        for camera_id, pending in batch.items():
            try:
                await self._observe(camera_id, pending, pictures.get(camera_id),
                                    found.get(camera_id))
            except Exception:  # noqa: BLE001 - one camera's failure must not cost the others
                logger.exception("analysis of a sample failed", extra={"camera": camera_id})

    async def _observe(self, camera_id: int, pending: _Pending, picture: _Picture | None,
                       detections: list[Any] | None) -> None:
        monitor = await self._monitor(camera_id)
        before = monitor.state
        transitions = monitor.observe(Sample(
            pending.at, picture.luma if picture else None, detections,
            picture.stats if picture else None))
        if detections is not None:
            self.stats.analysed += 1
            self.stats.lag_s.append(time.time() - pending.at)
        for transition in transitions:
            await self._record(camera_id, transition, picture)
        await self._keep_reference(camera_id, monitor)
        if monitor.state is not None and _changed(before, monitor.state):
            self.hub.publish(camera_id, self._state_message(camera_id, monitor.state))

    async def _record(self, camera_id: int, transition: Transition,
                      picture: _Picture | None) -> None:
        monitor = self._monitors[camera_id]
        tracker = monitor.open_events().get((transition.kind, transition.zone))
        severity = tracker.peak_severity if tracker is not None else 0.0
        view = await asyncio.to_thread(self.events.record, camera_id, transition, severity,
                                       self._explain(monitor, transition))
        if view is None:
            return
        logger.info("event %s %s", transition.action, transition.kind.value,
                    extra={"camera": camera_id, "zone": transition.zone, "event": view.id})
        self.hub.publish(camera_id, event_message(transition.action, view, transition.at))
        if transition.action == "open" and picture is not None:
            task = asyncio.create_task(self._snapshot(view, picture.bgr, transition.at),
                                       name=f"event-{view.id}-snapshot")
            self._snapshot_tasks.add(task)
            task.add_done_callback(self._snapshot_tasks.discard)

    async def _snapshot(self, view: EventView, bgr: np.ndarray, at: float) -> None:
        """Store the picture of an event that just opened, in the background (the store may
        be slow or down: analysis goes on), then tell the consoles where it is."""
        try:
            jpeg = await asyncio.to_thread(encode_jpeg, bgr)
            stored = await asyncio.to_thread(self.events.store_snapshot, view, jpeg)
        except Exception:  # noqa: BLE001 - a lost snapshot must not end anything else
            logger.exception("event snapshot failed", extra={"event": view.id})
            return
        if stored is not None and self._still_open(stored):
            self.hub.publish(stored.camera_id, event_message("update", stored, at))

    def _still_open(self, view: EventView) -> bool:
        """Whether the event is still open here (it may have closed while its snapshot was
        uploading: an "update" after the "close" would reopen it on the consoles)."""
        monitor = self._monitors.get(view.camera_id)
        tracker = monitor.open_events().get((view.kind, view.zone)) if monitor else None
        return tracker is not None and tracker.open_since == view.started_at.timestamp()

    def _explain(self, monitor: CameraMonitor, transition: Transition) -> dict[str, Any]:
        kind = transition.kind
        explanation: dict[str, Any] = {
            "rule": kind.value, "description": DESCRIPTIONS[kind],
            "timing": monitor.rules.timing(kind).model_dump(),
            "sampling_fps": self.settings.analysis_fps}
        if kind in MODEL_RULES:
            explanation["scene"] = monitor.scene.model_dump(mode="json")
            model = self.model
            explanation["model"] = None if model is None else {
                "name": model.name, "sha256": model.sha256, "backend": model.backend,
                "imgsz": model.imgsz,
                "confidence": self.settings.analysis_detector.get("confidence", 0.4)}
        if kind is EventKind.NOT_ANALYSED:
            explanation["reason"] = self.detector_error
        return explanation

    async def _keep_reference(self, camera_id: int, monitor: CameraMonitor) -> None:
        """Store a reference the monitor captured by itself (the camera had none)."""
        luma, monitor.captured_reference = monitor.captured_reference, None
        if luma is None:
            return
        jpeg = await asyncio.to_thread(encode_jpeg, luma)

        def save() -> tuple[bool, datetime | None]:
            with session_scope(self.session_factory) as db:
                if scene_versions(db).get(camera_id) != self._scene_versions.get(camera_id):
                    return False, None  # changed elsewhere (CLI) meanwhile: that change wins
                save_reference(db, camera_id, jpeg, "auto", "analyzer")
                db.flush()
                return True, scene_versions(db).get(camera_id)

        saved, version = await asyncio.to_thread(save)
        if not saved:
            await self.reload_scene(camera_id)
            return
        # the monitor already uses this picture: the refresh loop must not reload the scene
        # (that would throw away the sharpness baseline it is learning)
        self._scene_versions[camera_id] = version
        logger.info("reference picture captured automatically", extra={"camera": camera_id})

    async def _monitor(self, camera_id: int) -> CameraMonitor:
        monitor = self._monitors.get(camera_id)
        if monitor is None:
            stored = await asyncio.to_thread(self._load_scene, camera_id)
            phone = self.model is not None and "phone" in self.model.labels
            monitor = self._monitors[camera_id] = CameraMonitor(
                camera_id, stored.settings, self.settings.analysis_rules, phone,
                stored.reference, self.settings.analysis_tamper)
        elif self.model is not None:
            monitor.phone_detection = "phone" in self.model.labels
        return monitor

    def _load_scene(self, camera_id: int) -> StoredScene:
        with session_scope(self.session_factory) as db:
            stored = load_scene(db, camera_id)
        self._scene_versions[camera_id] = stored.updated_at
        return stored

    def _state_message(self, camera_id: int, state: CameraState) -> dict[str, Any]:
        return {"type": "camera", "camera_id": camera_id, **asdict(state),
                "not_analysed_reason": None if state.analysed else
                (self.detector_error if state.picture != "no picture" else "no picture"),
                "model": self.model.name if self.model is not None else None}


def event_message(action: str, view: EventView, at: float) -> dict[str, Any]:
    """The live message for an event opening, getting worse or closing at ``at`` (epoch s:
    for "open" the moment the rule confirmed the condition)."""
    return {"type": "event", "action": action, "at": at, "event": view.model_dump(mode="json")}


def _changed(before: CameraState | None, after: CameraState) -> bool:
    """Whether a console would see a difference (the time alone does not count)."""
    if before is None:
        return True
    return asdict(before) | {"at": 0} != asdict(after) | {"at": 0}


@dataclass(frozen=True)
class _Picture:
    """A sampled frame, ready for the monitor and the detector."""

    bgr: np.ndarray  # full size, for the event snapshot
    detector_input: np.ndarray  # shrunk to the model's input size
    luma: np.ndarray
    stats: FrameStats


def _decode_pictures(batch: dict[int, _Pending], imgsz: int | None) -> dict[int, _Picture]:
    """The decoded picture of each pending sample that has a frame (in a worker thread:
    this is the per-camera pixel work, kept off the event loop)."""
    pictures = {}
    for camera_id, pending in batch.items():
        if pending.frame is not None:
            bgr = pending.frame.to_ndarray(format="bgr24")
            luma = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
            pictures[camera_id] = _Picture(bgr, fit_to_input(bgr, imgsz) if imgsz else bgr,
                                           luma, frame_stats(luma))
    return pictures
