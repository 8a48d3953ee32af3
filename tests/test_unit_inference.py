"""The analyzer's inference without a detector process: pictures are decoded and shrunk to
the model's input, one batch goes to the detector, and every camera of the batch gets its
own result, also when the detector is down, still loading, or a camera's handler fails."""

from __future__ import annotations

import asyncio
import logging

import av
import numpy as np
import pytest
from support.detector_process import PERSON as SCRIPTED_PERSON
from support.detector_process import ScriptedProcess
from support.wait import wait_until

from proctor.media.feed import FeedRegistry
from proctor.vision.detector import Detection
from proctor.vision.detector_pool import DetectorPool
from proctor.vision.inference import InferenceLoop, SampleResult, decode_pictures
from proctor.vision.sampler import AnalyzerStats, PendingSample, Sampler
from proctor.vision.worker import ModelInfo

PERSON = Detection("person", 0.9, (0.1, 0.1, 0.2, 0.4))
MODEL = ModelInfo("yolo-test", "0" * 64, "cpu", 32, frozenset({"person"}))


def picture(width: int = 64, height: int = 48, shade: int = 90) -> av.VideoFrame:
    return av.VideoFrame.from_ndarray(np.full((height, width, 3), shade, np.uint8),
                                      format="bgr24")


class FakeKeeper:
    """What the loop reads of a :class:`~proctor.vision.detector_keeper.DetectorKeeper` (and
    of the pool it is in): whether it is still starting, its model, and detections
    (``None``: down)."""

    def __init__(self, model: ModelInfo | None = MODEL, first_start: bool = False,
                 down: bool = False) -> None:
        self.model, self.first_start, self.down = model, first_start, down
        self.batches: list[list[np.ndarray]] = []

    async def detect(self, frames: list[np.ndarray]) -> list[list[Detection]] | None:
        self.batches.append(frames)
        if self.down or not frames:
            return None
        return [[PERSON] * (i + 1) for i in range(len(frames))]


def loop_of(keeper: FakeKeeper) -> tuple[InferenceLoop, list[SampleResult]]:
    results: list[SampleResult] = []

    async def handle(result: SampleResult) -> None:
        results.append(result)

    return InferenceLoop(None, keeper, handle), results  # type: ignore[arg-type]


async def analyse(loop: InferenceLoop, keeper: FakeKeeper,
                  batch: dict[int, PendingSample]) -> None:
    await loop.analyse(batch, keeper)  # type: ignore[arg-type]


def test_pictures_are_decoded_and_shrunk_to_the_models_input() -> None:
    batch = {1: PendingSample(10.0, picture(64, 48)), 2: PendingSample(10.0, None),
             3: PendingSample(10.0, picture(16, 8))}
    pictures = decode_pictures(batch, imgsz=32)
    assert set(pictures) == {1, 3}  # no new frame: nothing to decode
    first = pictures[1]
    assert first.bgr.shape == (48, 64, 3) and first.detector_input.shape == (24, 32, 3)
    assert first.luma.shape == (48, 64) and int(first.luma.mean()) == 90
    assert pictures[3].detector_input.shape == (8, 16, 3)  # smaller already: never enlarged
    assert decode_pictures(batch, imgsz=None)[1].detector_input.shape == (48, 64, 3)


async def test_one_batch_goes_to_the_detector_and_each_camera_gets_its_own_result() -> None:
    keeper = FakeKeeper()
    loop, results = loop_of(keeper)
    await analyse(loop, keeper, {4: PendingSample(1.0, picture()),
                                 5: PendingSample(1.0, None), 6: PendingSample(1.0, picture())})
    assert len(keeper.batches) == 1 and len(keeper.batches[0]) == 2
    by_camera = {r.camera_id: r for r in results}
    assert set(by_camera) == {4, 5, 6}
    assert by_camera[4].detections == [PERSON] and by_camera[6].detections == [PERSON] * 2
    assert by_camera[5].picture is None and by_camera[5].detections is None


async def test_with_the_detector_down_every_camera_is_handed_on_unanalysed() -> None:
    keeper = FakeKeeper(down=True)
    loop, results = loop_of(keeper)
    await analyse(loop, keeper, {4: PendingSample(1.0, picture())})
    [result] = results
    assert result.picture is not None and result.detections is None


async def test_while_the_model_first_loads_frames_wait_and_are_not_an_outage() -> None:
    keeper = FakeKeeper(model=None, first_start=True)
    loop, results = loop_of(keeper)
    await analyse(loop, keeper, {4: PendingSample(1.0, picture()), 5: PendingSample(1.0, None)})
    assert [r.camera_id for r in results] == [5]  # the frame is not judged "not analysed"
    assert keeper.batches == [[]]


async def test_one_cameras_failure_does_not_cost_the_others(
        caplog: pytest.LogCaptureFixture) -> None:
    handled: list[int] = []

    async def handle(result: SampleResult) -> None:
        if result.camera_id == 1:
            raise RuntimeError("snapshot failed")
        handled.append(result.camera_id)

    keeper = FakeKeeper()
    loop = InferenceLoop(None, keeper, handle)  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, "proctor.vision.inference"):
        await analyse(loop, keeper, {1: PendingSample(1.0, picture()),
                                     2: PendingSample(1.0, picture())})
    assert handled == [2]
    assert "analysis of a sample failed" in caplog.text


async def test_a_lane_that_waited_for_samples_before_a_process_ran_uses_it() -> None:
    """A lane finds no process running (the model loads), waits for samples, and the process
    comes up before they do: they are analysed, not "not analysed" for no reason."""
    feeds = FeedRegistry(3.0)
    sampler = Sampler(feeds, fps=1, stats=AnalyzerStats())
    pool = DetectorPool([ScriptedProcess()], restart_after_s=0.01)  # type: ignore[list-item]
    results: list[SampleResult] = []

    async def handle(result: SampleResult) -> None:
        results.append(result)

    lanes = asyncio.create_task(InferenceLoop(sampler, pool, handle).run())
    await asyncio.sleep(0.05)  # the lane is waiting for samples, no process running
    keeping = asyncio.create_task(pool.keep_running())
    try:
        assert await wait_until(lambda: pool.running, timeout=10)
        feeds.get(1)._deliver(picture())  # what the feed does with each decoded frame
        sampler.take(1.0)
        assert await wait_until(lambda: results, timeout=10)
        assert results[0].detections == [SCRIPTED_PERSON]
    finally:
        for task in (lanes, keeping):
            task.cancel()
        await asyncio.gather(lanes, keeping, return_exceptions=True)
        await feeds.close()
