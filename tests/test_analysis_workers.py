"""Analysis on workers fed by a NATS queue group: a real nats-server, two real
``proctor analysis-worker`` processes with the real detector, and a node's analyzer in-process
(its cameras fed a real photo of 2 to 4 people where 1 is expected, events recorded by a sink).
Both workers get work, events are raised from a worker's detections, killing one keeps
results flowing, and with none left the cameras are "not analysed", saying why. Then a real
``proctor serve`` node with a real agent, analysed by a worker."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import av
import cv2
import httpx
import numpy as np
import pytest
from support.cluster import two_nodes
from support.scenes import MemoryScenes
from support.tracks import QueueTrack
from support.wait import wait_until, wait_until_sync
from test_unit_analyzer import RecordingSink
from websockets.sync.client import connect

from proctor.cluster.analysis import (
    NatsSampleChannel,
    answer_payload,
    failure_payload,
    read_answer,
    read_sample,
    sample_headers,
)
from proctor.cluster.analysis_worker import AnalysisWorker
from proctor.cluster.connection import connect_nats
from proctor.config import load_settings
from proctor.media.feed import FeedRegistry
from proctor.vision.analyzer import Analyzer
from proctor.vision.detector import Detection
from proctor.vision.kinds import EventKind
from proctor.vision.pictures import encode_jpeg
from proctor.vision.remote import AnalysisUnavailable, RemoteDetection, RemoteSample
from proctor.vision.scene import SceneSettings
from proctor.vision.settings import AnalysisSettings
from proctor.vision.worker import DetectorProcess, ModelInfo
from proctor_dev.nats import EmbeddedNats, nats_server
from proctor_dev.processes import ManagedProcess

PHOTO = Path(__file__).parent / "data" / "counts" / "ultralytics-bus.jpg"  # 2 people + 2 hard
CAMERAS = (1, 2, 3, 4)


def start_worker(nats_url: str, name: str, log_dir: Path) -> ManagedProcess:
    """A real ``proctor analysis-worker`` process, one detector thread (2 share the host)."""
    return ManagedProcess.python_module(
        name, "proctor", "analysis-worker", "--nats-url", nats_url, "--name", name,
        env={"PROCTOR_ANALYSIS_DETECTOR": '{"threads": 1}'},
        log_path=log_dir / f"{name}.log").start()


@pytest.fixture
def nats(tmp_path: Path) -> Iterator[EmbeddedNats]:
    with nats_server(tmp_path / "nats") as server:
        yield server


@pytest.fixture
async def node(nats: EmbeddedNats) -> AsyncIterator[tuple[Analyzer, RecordingSink]]:
    """A node's analyzer of CAMERAS (1 person expected in each) with remote workers, its
    cameras fed the photo with a little sensor noise every 100 ms."""
    connection = await connect_nats(nats.url, "test-node")
    feeds = FeedRegistry(offline_after_s=3.0)
    tracks = {camera: QueueTrack() for camera in CAMERAS}
    scenes = MemoryScenes()
    for camera, track in tracks.items():
        feeds.get(camera).attach(track)
        scenes.change(camera, SceneSettings(expected_headcount=1))
    sink = RecordingSink([])
    analyzer = Analyzer(AnalysisSettings(analysis_fps=2.0), feeds, scenes, sink,
                        RemoteDetection(NatsSampleChannel(connection, timeout_s=5.0)))
    await analyzer.start()
    photo = cv2.imread(str(PHOTO))
    assert photo is not None

    async def publish() -> None:
        rng = np.random.default_rng(3)
        while True:
            for track in tracks.values():
                noisy = photo + rng.integers(0, 3, photo.shape).astype(np.uint8)
                track.queue.put_nowait(av.VideoFrame.from_ndarray(noisy, format="bgr24"))
            await asyncio.sleep(0.1)

    publishing = asyncio.create_task(publish())
    try:
        yield analyzer, sink
    finally:
        publishing.cancel()
        await analyzer.close()
        await feeds.close()
        await connection.close()


async def test_workers_share_the_samples_and_survive_one_dying(
        nats: EmbeddedNats, node: tuple[Analyzer, RecordingSink], tmp_path: Path) -> None:
    analyzer, sink = node
    assert isinstance(analyzer.detector, RemoteDetection)
    answered = analyzer.detector.answered
    # no worker yet: the samples are not analysed, and the state says why
    assert await wait_until(lambda: _reasons(sink) and "no analysis worker running"
                            in _reasons(sink)[-1], timeout=30)

    workers = [start_worker(nats.url, name, tmp_path) for name in ("w1", "w2")]
    try:
        assert await wait_until(lambda: min(answered["w1"], answered["w2"]) >= 5,
                                timeout=240), f"both workers should get work: {answered}"
        assert await wait_until(
            lambda: len(sink.opened(EventKind.EXTRA_PERSON)) == len(CAMERAS), timeout=60)
        model = analyzer.model
        assert model is not None
        for opened in sink.opened(EventKind.EXTRA_PERSON):
            assert opened.explanation["model"] == {  # the worker's model, as it replied
                "name": model.name, "sha256": model.sha256, "backend": model.backend,
                "imgsz": model.imgsz, "confidence": 0.4}
        state = analyzer.camera_state(CAMERAS[0])
        assert state is not None and state.analysed and 2 <= (state.people or 0) <= 4

        workers[0].kill()  # SIGKILL, holding samples maybe
        after_kill, analysed = answered["w2"], analyzer.stats.analysed
        assert await wait_until(lambda: answered["w2"] >= after_kill + 20, timeout=120), \
            "the other worker should take all samples"
        assert analyzer.stats.analysed >= analysed + 20
        assert all((s := analyzer.camera_state(c)) is not None and s.analysed for c in CAMERAS)

        workers[1].kill()
        assert await wait_until(lambda: not any(
            (s := analyzer.camera_state(c)) is None or s.analysed for c in CAMERAS), timeout=60)
        assert "no analysis worker" in (analyzer.detector_error or "")
        assert analyzer.model is None  # /metrics: proctor_detector_up 0
    finally:
        for worker in workers:
            worker.stop()


def _reasons(sink: RecordingSink) -> list[str]:
    return [s.status.not_analysed_reason or "" for s in sink.statuses()
            if not s.status.analysed]


def test_remote_analysis_needs_nats() -> None:
    with pytest.raises(ValueError, match="PROCTOR_ANALYSIS_WORKERS=remote needs PROCTOR_NATS_URL"):
        load_settings(analysis_workers="remote", nats_url="")


@pytest.mark.timeout(400)
def test_a_real_node_analyses_a_real_camera_on_a_worker(tmp_path: Path,
                                                        h264_footage: Path) -> None:
    """``proctor serve`` with PROCTOR_ANALYSIS_WORKERS=remote (no detector process of its
    own), a real agent publishing real footage, one real worker: the camera is analysed
    with the worker's model."""
    env = {"PROCTOR_ANALYSIS_WORKERS": "remote", "PROCTOR_WEBRTC_SETUP_TIMEOUT_S": "600"}
    with two_nodes(tmp_path, env, start=False) as nodes:
        node = nodes.a
        assert node.site_a is not None
        node.analysis = True
        node.start_server()
        camera = node.site_a.camera_ids[0]
        admin = node.login("admin")
        node.start_agent({camera: h264_footage.as_uri()})

        def state() -> dict[str, Any]:
            return _camera_state(node.url, admin, camera)
        assert wait_until_sync(lambda: "no analysis worker running" in str(
            state().get("not_analysed_reason")), 120), state()
        worker = start_worker(nodes.nats.url, "w1", tmp_path)
        try:
            assert wait_until_sync(lambda: state().get("analysed"), 240), state()
            analysed = state()
            assert analysed["model"] == "nanodet" and isinstance(analysed["people"], int)
            metrics = httpx.get(f"{node.url}/metrics", timeout=60,
                                headers={"Authorization": f"Bearer {admin}"}).text
            assert "\nproctor_detector_pid 0.0" in metrics  # no detector process on the node
        finally:
            worker.stop()


def _camera_state(url: str, token: str, camera: int) -> dict[str, Any]:
    """The camera's analysis state in the hello of the node's alerts WebSocket ({} if none)."""
    ws = url.replace("http://", "ws://") + "/api/live/alerts"
    with connect(ws, additional_headers={"Authorization": f"Bearer {token}"},
                 open_timeout=60) as socket:
        hello = json.loads(socket.recv(timeout=60))
    return next((c for c in hello["cameras"] if c["camera_id"] == camera), {})


def test_answers_travel_whole_and_bad_ones_say_why() -> None:
    model = ModelInfo("nanodet", "a" * 64, "onnx", 512, frozenset({"person"}))
    found = [Detection("person", 0.75, (0.1, 0.2, 0.3, 0.4))]
    answer = read_answer(answer_payload("w1", model, found))
    assert (answer.worker, answer.model, answer.detections) == ("w1", model, found)
    with pytest.raises(AnalysisUnavailable, match="analysis worker w2 failed: detector died"):
        read_answer(failure_payload("w2", "detector died"))
    for bad in (b"not json", b'{"worker": "w3"}', b'{"worker": "w3", "model": {}, '
                b'"detections": []}'):
        with pytest.raises(AnalysisUnavailable, match="reply is unreadable"):
            read_answer(bad)


def test_a_sample_its_node_gave_up_on_is_skipped() -> None:
    sample = RemoteSample(7, 1000.0, 3, encode_jpeg(np.full((64, 64, 3), 99, np.uint8)))
    worker = AnalysisWorker("w", DetectorProcess({}, 1.0, 1.0))

    def message(deadline: float) -> Any:
        return SimpleNamespace(headers=sample_headers(sample, deadline), data=sample.jpeg)

    wanted = worker._wanted(message(time.time() + 5))
    assert wanted is not None and wanted.shape == (64, 64, 3)
    assert worker._wanted(message(time.time() - 1)) is None and worker.skipped == 1
    assert worker._wanted(SimpleNamespace(headers={}, data=b"x")) is None  # type: ignore[arg-type]
    assert read_sample(sample_headers(sample, 5.0), sample.jpeg) == (sample, 5.0)
