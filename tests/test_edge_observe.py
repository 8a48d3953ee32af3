"""The agent's side of detection at the edge, without a server: key frames are kept as they
pass, decode on their own, and a box without the detector's packages or model runs without
detection."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from edge_agent.config import CameraConfig
from edge_agent.observe import CameraObserver, KeyframeTap, load_edge_detector
from edge_agent.sources import open_source


def test_the_newest_key_frame_is_kept_and_decodes_alone(h264_footage: Path) -> None:
    tap = KeyframeTap()
    source = open_source(CameraConfig(id=1, source=h264_footage.as_uri(), loop=False))
    for read, packet in enumerate(source.items(), 1):
        tap(packet)  # type: ignore[arg-type]  # an H.264 source gives packets only
        if read == 45:  # past the second key frame
            break
    source.close()
    seen, keyframe = tap.take()
    assert seen == 45 and keyframe is not None
    picture = CameraObserver(1, tap).decode(keyframe[1])  # a fresh decoder: nothing before
    assert picture is not None and picture.ndim == 3 and picture.shape[2] == 3
    assert tap.take() == (0, None)  # taken once


def test_without_the_model_the_agent_runs_without_detection(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        assert load_edge_detector({"model": "no-such-model"}) is None
    assert "detection at the edge is off" in caplog.text and "no-such-model" in caplog.text
