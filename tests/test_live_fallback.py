"""The transcoding fallback in a real server: a real agent publishes a High-profile H.264
camera; an aiortc viewer that offers only (constrained) baseline cannot take it and gets the
shared re-encode, while a viewer whose offer names High, on the same camera at the same time,
gets the camera's own H.264. Both play, and the server's log and metrics say which and why."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import av
import httpx
import pytest
from support.stack import Stack
from support.wait import wait_until

from proctor_dev.bench.viewer import WhepViewer

FRAMES = 300  # 30 s of the 10 fps footage, looped by the agent
HIGH = "64001f"  # High profile, level 3.1 (as Chromium offers it)


@pytest.fixture(scope="module")
def high_profile_clip(raw_footage: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The footage as High-profile H.264 without B-frames, as many IP cameras send it."""
    clip = tmp_path_factory.mktemp("high") / "high.mp4"
    with av.open(str(raw_footage)) as source, av.open(str(clip), "w") as out:
        stream = out.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 768, 576, "yuv420p"
        stream.codec_context.profile = "High"
        stream.codec_context.options = {"preset": "veryfast", "bf": "0", "g": "10"}  # 8x8dct
        for frame in itertools.islice(source.decode(video=0), FRAMES):
            frame.pts = None
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    with av.open(str(clip)) as made:  # x264 names the lowest profile the tools fit
        assert made.streams.video[0].codec_context.profile == "High"
    return clip


def offer_high(offer: str) -> str:
    """The offer with its baseline H.264 entry renamed High (what a browser offers too)."""
    edited = offer.replace("profile-level-id=42001f", f"profile-level-id={HIGH}")
    assert edited != offer, "aiortc's offer no longer names baseline 42001f"
    return edited


def metric(stack: Stack, token: str, name: str) -> float:
    text = httpx.get(f"{stack.url}/metrics", headers={"Authorization": f"Bearer {token}"},
                     timeout=60).text
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name} not in metrics"
    return float(match.group(1))


async def test_a_viewer_that_cannot_take_the_profile_gets_the_transcoded_fallback(
        stack: Stack, high_profile_clip: Path) -> None:
    camera = stack.site_a.camera_ids[0]
    stack.start_agent({camera: high_profile_clip.as_uri()})  # files loop
    admin = stack.login("admin")
    assert await wait_until(lambda: stack.camera_status(admin, camera)["online"], 20)
    supervisor = stack.login("sup_a")
    baseline = WhepViewer(stack.url, camera, supervisor)  # aiortc: 42001f and 42e01f only
    high = WhepViewer(stack.url, camera, supervisor, edit_offer=offer_high)
    for viewer in (baseline, high):
        await viewer.start()
    try:
        assert await wait_until(lambda: min(baseline.stats.frames, high.stats.frames) >= 30, 30), (
            f"frames: baseline {baseline.stats.frames}, high {high.stats.frames}")
        for viewer in (baseline, high):
            assert (viewer.stats.width, viewer.stats.height) == (768, 576)
        assert metric(stack, admin, 'proctor_live_viewers{delivery="forwarded"}') == 1
        assert metric(stack, admin, 'proctor_live_viewers{delivery="transcoded"}') == 1
        assert metric(stack, admin, "proctor_playback_encoders") == 1
        log = (stack.data_dir / "server.log").read_text()
        assert re.search(r"transcoded: the viewer accepts H\.264 PROFILE_BASELINE, "
                         r"PROFILE_CONSTRAINED_BASELINE, not the camera's PROFILE_HIGH", log), log
        assert "forwarded: the viewer accepts the camera's PROFILE_HIGH" in log
    finally:
        for viewer in (baseline, high):
            await viewer.stop()
    assert await wait_until(lambda: metric(stack, admin, "proctor_playback_encoders") == 0, 10)
