"""The live analyzer: samples every live camera, detects in batches, applies the rules and
sends the resulting transitions to a sink. It composes units with one job each:

- :class:`~proctor.vision.sampler.Sampler` takes each camera's newest frame
  ``analysis_fps`` times a second (a slow detector drops samples, never video);
- :class:`~proctor.vision.inference.InferenceLoop` sends the waiting samples, one per
  camera, to the detector process as one batch;
- :class:`~proctor.vision.detector_pool.DetectorPool` keeps the detector processes running
  (one lane of inference each); while none runs, samples are still checked for tamper and
  each camera has a ``not_analysed`` event;
- or, with analysis workers (``PROCTOR_ANALYSIS_WORKERS=remote``),
  :class:`~proctor.vision.remote.RemoteInferenceLoop` sends each sample to a worker through a
  :class:`~proctor.vision.remote.SampleChannel` instead (no detector process here);
- :class:`~proctor.vision.monitors.Monitors` holds each camera's rule state and scene (read
  from a :class:`~proctor.vision.scene_store.SceneStore`);
- :class:`~proctor.vision.publisher.Publisher` sends typed transitions to the
  :class:`~proctor.vision.transitions.TransitionSink`.

A camera whose edge agent detects on its own frames sends :class:`Observation` samples
(:meth:`Analyzer.observe_edge`); they go through the same monitors and publisher, and the
sampler leaves that camera alone while they keep coming (:data:`EDGE_HOLD_S`).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import numpy as np

from proctor.media.feed import FeedRegistry
from proctor.vision.detector_pool import DetectorPool, detector_processes
from proctor.vision.inference import InferenceLoop, SampleResult
from proctor.vision.monitor import Sample
from proctor.vision.monitors import HeadcountSource, Monitors
from proctor.vision.observation import Observation
from proctor.vision.publisher import Publisher
from proctor.vision.remote import RemoteDetection, RemoteInferenceLoop, SampleChannel
from proctor.vision.rule_spec import JsonObject
from proctor.vision.sampler import AnalyzerStats, Sampler
from proctor.vision.scene import Occupancy
from proctor.vision.scene_store import SceneStore
from proctor.vision.settings import AnalysisSettings
from proctor.vision.transitions import (
    CameraStatus,
    EventOpened,
    EventTransition,
    TransitionSink,
)
from proctor.vision.worker import DetectorProcess, ModelInfo

EDGE_HOLD_S = 10.0  # a camera whose agent sent observations this recently is not sampled here


def edge_explained(transition: EventTransition, observation: Observation) -> EventTransition:
    """An event an edge agent's observation opened names the agent's model, not the
    server's."""
    if not isinstance(transition, EventOpened) or "model" not in transition.explanation:
        return transition
    model: JsonObject = {"name": observation.model, "analysed_at": "edge"}
    return replace(transition, explanation={**transition.explanation, "model": model})


class Analyzer:
    """Analysis of every live camera for the lifetime of the server."""

    def __init__(self, settings: AnalysisSettings, feeds: FeedRegistry, scenes: SceneStore,
                 sink: TransitionSink, detector: list[DetectorProcess] | RemoteDetection,
                 headcount: HeadcountSource | None = None) -> None:
        """``detector``: the local detector processes, or the analysis workers."""
        self.sink = sink
        self.stats = AnalyzerStats()
        self.keeper: DetectorPool | RemoteDetection = (
            detector if isinstance(detector, RemoteDetection)
            else DetectorPool(detector, settings.analysis_restart_after_s))
        self.monitors = Monitors(scenes, settings.analysis_rules,
                                 settings.analysis_tamper, self._sees_phones, headcount,
                                 settings.analysis_counting)
        self.feeds = feeds
        self._edge_seen: dict[int, float] = {}  # camera -> monotonic time of its last observation
        self.sampler = Sampler(feeds, settings.analysis_fps, self.stats,
                               self.monitors.continued, self.analysed_at_edge)
        self.publisher = Publisher(sink, settings.analysis_fps,
                                   settings.analysis_detector.get("confidence", 0.4),
                                   lambda: self.model, lambda: self.keeper.error)
        self._inference = (
            InferenceLoop(self.sampler, self.keeper, self._observe)
            if isinstance(self.keeper, DetectorPool)
            else RemoteInferenceLoop(self.sampler, self.keeper, self._observe))
        self._tasks: list[asyncio.Task[None]] = []

    @classmethod
    def build(cls, settings: AnalysisSettings, feeds: FeedRegistry, scenes: SceneStore,
              sink: TransitionSink, headcount: HeadcountSource | None = None,
              workers: SampleChannel | None = None) -> Analyzer:
        """An analyzer for the configured detector (checked by ``proctor.app.check_analysis``),
        or for the analysis ``workers`` when given; ``headcount`` overrides the scenes'
        expected headcount where it gives one."""
        if workers is not None:
            return cls(settings, feeds, scenes, sink, RemoteDetection(workers), headcount)
        return cls(settings, feeds, scenes, sink, detector_processes(settings), headcount)

    async def start(self) -> None:
        """Continue open events, then start sampling, inference and the detector."""
        for event in await self.sink.open_events():
            await self.monitors.restore(event)
        self._tasks = [asyncio.create_task(coro, name=name) for name, coro in (
            ("analysis-detector", self.keeper.keep_running()),
            ("analysis-sampler", self.sampler.run()),
            ("analysis-inference", self._inference.run()),
            ("analysis-scenes", self.monitors.refresh_forever()))]

    async def close(self) -> None:
        """Stop the tasks and the detector process (open events stay open in the sink),
        giving the sink's background work a moment to finish."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.sink.close()
        await asyncio.to_thread(self.keeper.stop)

    @property
    def detector(self) -> DetectorPool | RemoteDetection:
        """The detector processes (a pid is in the metrics), or the analysis workers."""
        return self.keeper

    @property
    def detector_error(self) -> str | None:
        """Why the detector is not running (None while it runs)."""
        return self.keeper.error

    @property
    def model(self) -> ModelInfo | None:
        """The detector's model while it runs."""
        return self.keeper.model

    def camera_state(self, camera_id: int) -> CameraStatus | None:
        """The camera's latest analysis state, as pushed to consoles (None: not analysed yet)."""
        monitor = self.monitors.known(camera_id)
        if monitor is None or monitor.state is None:
            return None
        return self.publisher.status(camera_id, monitor.state)

    def occupancy(self, camera_id: int) -> Occupancy | None:
        """The camera's latest analysed sample against its zones (None: not analysed)."""
        monitor = self.monitors.known(camera_id)
        return None if monitor is None else monitor.occupancy()

    async def reload_scene(self, camera_id: int) -> None:
        """Apply changed scene settings or reference of a camera (open events carry on)."""
        await self.monitors.reload_scene(camera_id)

    def analysed_at_edge(self, camera_id: int) -> bool:
        """Whether the camera's agent sent observations within :data:`EDGE_HOLD_S`."""
        seen = self._edge_seen.get(camera_id)
        return seen is not None and time.monotonic() - seen < EDGE_HOLD_S

    async def observe_edge(self, camera_id: int, observations: list[Observation]) -> int:
        """Apply the rules to samples the camera's edge agent analysed, in time order, and
        publish what changed; samples not newer than the camera's latest are skipped (a
        retried request). Returns how many were taken."""
        self._edge_seen[camera_id] = time.monotonic()
        monitor = await self.monitors.get(camera_id)
        taken = 0
        for observation in sorted(observations, key=lambda o: o.at):
            before = monitor.state
            if before is not None and observation.at <= before.at:
                continue
            picture = observation.picture
            found = monitor.observe(Sample(observation.at, None, observation.detections(),
                                           picture.frame_stats() if picture else None))
            snapshot = self._live_picture(camera_id) if found else None
            for transition in found:
                await self.sink.emit(edge_explained(
                    self.publisher.typed(monitor, transition, snapshot), observation))
            await self.publisher.state(before, monitor)
            taken += 1
        return taken

    def _live_picture(self, camera_id: int) -> np.ndarray | None:
        """The camera's newest live frame (BGR), the snapshot of an edge-analysed event."""
        feed = dict(self.feeds.items()).get(camera_id)
        frame = feed.latest_frame() if feed is not None else None
        return None if frame is None else frame.to_ndarray(format="bgr24")

    def _sees_phones(self) -> bool | None:
        model = self.model
        return None if model is None else "phone" in model.labels

    async def _observe(self, result: SampleResult) -> None:
        """Apply the rules to one camera's sample and publish what changed."""
        monitor = await self.monitors.get(result.camera_id)
        before = monitor.state
        picture = result.picture
        found = monitor.observe(Sample(result.sample.at, picture.luma if picture else None,
                                       result.detections, picture.stats if picture else None))
        if result.detections is not None:
            self.stats.analysed += 1
            self.stats.lag_s.append(time.time() - result.sample.at)
        await self.publisher.transitions(monitor, found, picture.bgr if picture else None)
        await self.monitors.keep_reference(result.camera_id, monitor)
        await self.publisher.state(before, monitor)
