"""The live analyzer put together, in-process: a camera feed from an in-memory track, scenes
from a dict, a scripted detector process instead of the model, and a sink that records what
it is sent. A camera with more people than expected opens an event and its state reaches
the consoles; an event open at start is continued; the detector going down is said; closing
stops the detector and lets the sink finish; a one-sample glitch in the count raises no
headcount event, as the count is taken over the latest samples; samples an edge agent
analysed go through the same rules."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import av
import numpy as np
import pytest
from support.detector_process import MODEL, PERSON, ScriptedProcess
from support.scenes import MemoryScenes
from support.tracks import QueueTrack
from support.wait import wait_until

from proctor.media.feed import FeedRegistry
from proctor.vision.analyzer import Analyzer
from proctor.vision.counting import CountFusion
from proctor.vision.detector import Detection
from proctor.vision.detector_pool import DetectorPool
from proctor.vision.kinds import EventKind
from proctor.vision.observation import Observation
from proctor.vision.rules import AnalysisRules
from proctor.vision.scene import SceneSettings
from proctor.vision.settings import AnalysisSettings
from proctor.vision.tamper import frame_stats
from proctor.vision.transitions import (
    AnalysisTransition,
    CameraStateChanged,
    EventOpened,
    OpenEvent,
)
from proctor.vision.worker import DetectorUnavailable

CAMERA, RESTORED = 1, 2
SCENE = np.random.default_rng(1).integers(40, 200, (120, 160, 3), dtype=np.uint8)


def picture(rng: np.random.Generator) -> av.VideoFrame:
    """The room: a textured picture (a flat one reads as a covered lens) with a little
    sensor noise (identical pictures read as a frozen camera)."""
    noisy = SCENE + rng.integers(0, 3, SCENE.shape, dtype=np.uint8)
    return av.VideoFrame.from_ndarray(noisy, format="bgr24")


class RecordingSink:
    """A :class:`~proctor.vision.transitions.TransitionSink` that keeps what it is sent."""

    def __init__(self, open_events: list[OpenEvent]) -> None:
        self.open = open_events
        self.sent: list[AnalysisTransition] = []
        self.closed = False

    async def open_events(self) -> list[OpenEvent]:
        return self.open

    async def emit(self, transition: AnalysisTransition) -> None:
        self.sent.append(transition)

    async def close(self) -> None:
        self.closed = True

    def opened(self, kind: EventKind) -> list[EventOpened]:
        return [t for t in self.sent if isinstance(t, EventOpened) and t.kind is kind]

    def statuses(self) -> list[CameraStateChanged]:
        return [t for t in self.sent if isinstance(t, CameraStateChanged)]


class GlitchingProcess(ScriptedProcess):
    """Finds ``people`` in every frame but the ``glitch_at``-th, where it finds two more."""

    def __init__(self, glitch_at: int) -> None:
        super().__init__()
        self.glitch_at = glitch_at

    async def detect(self, frames: list[np.ndarray]) -> list[list[Detection]]:
        found = await super().detect(frames)
        if len(self.seen) == self.glitch_at:
            return [people + people[:1] * 2 for people in found]
        return found


@asynccontextmanager
async def analysing(settings: AnalysisSettings, process: ScriptedProcess,
                       scenes: MemoryScenes, sink: RecordingSink
                       ) -> AsyncIterator[Analyzer]:
    """An analyzer of CAMERA, fed noisy pictures of the room every 50 ms."""
    feeds = FeedRegistry(offline_after_s=3.0)
    track = QueueTrack()
    feeds.get(CAMERA).attach(track)
    analyzer = Analyzer(settings, feeds, scenes, sink, [process])  # type: ignore[list-item]
    await analyzer.start()

    async def publish() -> None:
        rng = np.random.default_rng(2)
        while True:
            track.queue.put_nowait(picture(rng))
            await asyncio.sleep(0.05)

    publishing = asyncio.create_task(publish())
    try:
        yield analyzer
    finally:
        publishing.cancel()
        await analyzer.close()
        await feeds.close()


@pytest.fixture
async def running() -> AsyncIterator[tuple[Analyzer, RecordingSink, ScriptedProcess]]:
    scenes = MemoryScenes()
    scenes.change(CAMERA, SceneSettings(expected_headcount=1))
    sink = RecordingSink([OpenEvent(RESTORED, EventKind.COVERED, "", 1000.0, {}, 0.5)])
    process = ScriptedProcess()
    process.people = 3
    settings = AnalysisSettings(analysis_fps=5.0, analysis_restart_after_s=0.05)
    async with analysing(settings, process, scenes, sink) as analyzer:
        yield analyzer, sink, process


async def test_too_many_people_open_an_event_and_the_state_reaches_consoles(
        running: tuple[Analyzer, RecordingSink, ScriptedProcess]) -> None:
    analyzer, sink, _ = running
    assert await wait_until(lambda: sink.opened(EventKind.EXTRA_PERSON), timeout=30)
    [opened] = sink.opened(EventKind.EXTRA_PERSON)
    assert opened.camera_id == CAMERA and opened.explanation["model"] is not None
    state = analyzer.camera_state(CAMERA)
    assert state is not None
    assert (state.people, state.expected, state.model) == (3, 1, MODEL.name)
    assert any(s.status.people == 3 for s in sink.statuses())
    occupancy = analyzer.occupancy(CAMERA)
    assert occupancy is not None and occupancy.people == 3
    assert analyzer.stats.analysed > 0 and analyzer.model == MODEL
    assert analyzer.camera_state(99) is None and analyzer.occupancy(99) is None


async def test_an_event_open_at_start_is_continued(
        running: tuple[Analyzer, RecordingSink, ScriptedProcess]) -> None:
    analyzer, _, _ = running
    monitor = analyzer.monitors.known(RESTORED)
    assert monitor is not None and (EventKind.COVERED, "") in monitor.open_events()


async def test_the_detector_going_down_is_said_and_it_comes_back(
        running: tuple[Analyzer, RecordingSink, ScriptedProcess]) -> None:
    analyzer, sink, process = running
    assert await wait_until(lambda: analyzer.detector_error is None, timeout=30)
    process.detect_error = DetectorUnavailable("detector crashed")
    assert await wait_until(lambda: any(s.status.not_analysed_reason == "detector crashed"
                                        for s in sink.statuses()), timeout=30)
    assert await wait_until(lambda: process.started >= 2 and analyzer.detector_error is None,
                            timeout=30)


async def test_closing_stops_the_detector_and_lets_the_sink_finish(
        running: tuple[Analyzer, RecordingSink, ScriptedProcess]) -> None:
    analyzer, sink, process = running
    await analyzer.close()
    assert sink.closed and process.stops == [True]
    pool = analyzer.keeper
    assert isinstance(pool, DetectorPool)
    assert [k.process for k in pool.keepers] == [process]  # type: ignore[comparison-overlap]


@pytest.mark.parametrize(("samples", "raised"), [(5, False), (1, True)])
async def test_a_one_sample_glitch_raises_no_headcount_event(samples: int,
                                                            raised: bool) -> None:
    scenes = MemoryScenes()
    scenes.change(CAMERA, SceneSettings(expected_headcount=1))
    sink = RecordingSink([])
    # a site whose headcount rule reacts to a single sample (1 of 1)
    settings = AnalysisSettings(
        analysis_fps=5.0, analysis_counting=CountFusion(samples=samples),
        analysis_rules=AnalysisRules.model_validate(
            {"extra_person": {"confirm_k": 1, "confirm_n": 1}}))
    process = GlitchingProcess(glitch_at=5)
    async with analysing(settings, process, scenes, sink) as analyzer:
        assert await wait_until(lambda: analyzer.stats.analysed >= 15, timeout=60)
        assert bool(sink.opened(EventKind.EXTRA_PERSON)) is raised  # 1: the glitch alone
        counts = {s.status.people for s in sink.statuses() if s.status.camera_id == CAMERA}
        assert counts == ({1, 3} if raised else {1})  # consoles see the fused count


def edge_sample(at: float, people: int) -> Observation:
    """What an edge agent sends of one sample of the room with ``people`` in it."""
    luma = np.ascontiguousarray(SCENE[:, :, 1]) + np.uint8(at % 3)  # a live, changing picture
    return Observation.of(at, frame_stats(luma), [PERSON] * people, model="edge-model")


async def test_edge_observations_go_through_the_same_rules_and_stop_server_sampling(
        running: tuple[Analyzer, RecordingSink, ScriptedProcess]) -> None:
    analyzer, sink, process = running
    camera = 3  # an edge camera: its video is not sampled here
    scenes = analyzer.monitors.scenes
    assert isinstance(scenes, MemoryScenes)
    scenes.change(camera, SceneSettings(expected_headcount=1))
    now = time.time()
    taken = await analyzer.observe_edge(camera, [edge_sample(now + i, 3) for i in range(5)])
    assert taken == 5 and analyzer.analysed_at_edge(camera)
    [opened] = [t for t in sink.opened(EventKind.EXTRA_PERSON) if t.camera_id == camera]
    assert opened.peak["count"] == 3 and opened.started_at == pytest.approx(now)
    assert opened.explanation["model"] == {"name": "edge-model", "analysed_at": "edge"}
    assert await analyzer.observe_edge(camera, [edge_sample(now + 2, 1)]) == 0  # a retry
    state = analyzer.camera_state(camera)
    assert state is not None and (state.people, state.analysed) == (3, True)

    # CAMERA's agent starts detecting too: the server stops sampling it while it does
    assert await wait_until(lambda: len(process.seen) > 0, timeout=30)
    await analyzer.observe_edge(CAMERA, [edge_sample(now, 1)])
    await asyncio.sleep(0.5)  # a batch may be under way: let it finish
    seen = len(process.seen)
    await analyzer.observe_edge(CAMERA, [edge_sample(now + 1, 1)])
    feed = dict(analyzer.feeds.items())[CAMERA]
    frames = feed.frames_received  # 20 more frames at 20/s: 5 sampling periods at 5 fps
    assert await wait_until(lambda: feed.frames_received >= frames + 20, timeout=30)
    assert analyzer.analysed_at_edge(CAMERA) and len(process.seen) == seen
