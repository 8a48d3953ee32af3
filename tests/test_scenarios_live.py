"""Scenario clips through the live path (``proctor eval scenarios`` checks them offline, in
tests/test_scenarios.py, and ``--live`` runs them all this way): a real agent publishes each
clip over WHIP as H.264 (proctor_dev/evaluation/live.py: one scenario picture per second,
held for 5 frames, a keyframe each second, no B-frames), the server's feed decodes keyframes
only, and the live analysis (real detector process) raises the clip's event,
and no other kind, while the clip plays. The clips are built from real footage with their
truth known by construction (proctor_dev/evaluation/scenarios.py)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.stack import Stack
from support.wait import wait_until

from proctor_dev.evaluation import scenarios as sc
from proctor_dev.evaluation.live import CLIP_FPS, encode_clip, metric_value

CLIPS = {"covered": "covered", "frozen": "frozen"}  # clip name -> the event kind it must raise


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def clips(raw_footage: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("scenario-clips")
    built = {s.name: s for s in sc.tamper_scenarios(sc.read_footage(raw_footage))}
    return {name: encode_clip(built[name], folder / f"{name}.mp4") for name in CLIPS}


def events(stack: Stack, token: str, camera: int) -> list[dict[str, Any]]:
    response = httpx.get(f"{stack.url}/api/events", headers=bearer(token),
                         params={"camera_id": camera}, timeout=30)
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


def counter(stack: Stack, token: str, name: str, camera: int) -> float:
    text = httpx.get(f"{stack.url}/metrics", headers=bearer(token), timeout=60).text
    assert f'{name}_total{{camera="{camera}"}}' in text, f"{name} of camera {camera} missing"
    return metric_value(text, f"{name}_total", camera)


@pytest.mark.timeout(420)
async def test_scenarios_raise_their_events_from_keyframes_only(
        analysis_stack: Stack, clips: dict[str, Path]) -> None:
    stack = analysis_stack
    cameras = dict(zip(CLIPS, stack.site_a.camera_ids, strict=False))
    assert len(cameras) == len(CLIPS)
    admin = stack.login("admin")
    stack.start_agent({camera: clips[name].as_uri() for name, camera in cameras.items()})

    def raised(name: str) -> bool:
        return any(e["kind"] == CLIPS[name] for e in events(stack, admin, cameras[name]))

    # each incident starts 20 s into its clip and lasts 25 s; the agent loops the clip
    assert await wait_until(lambda: all(raised(name) for name in cameras), 240), {
        name: [e["kind"] for e in events(stack, admin, camera)]
        for name, camera in cameras.items()}
    for name, camera in cameras.items():
        found = events(stack, admin, camera)
        incident = min(datetime.fromisoformat(e["started_at"]) for e in found
                       if e["kind"] == CLIPS[name])
        # a camera is not analysed for a moment while it and the detector start
        startup = [e for e in found if e["kind"] == "not_analysed" and e["ended_at"]
                   and datetime.fromisoformat(e["ended_at"]) <= incident]
        others = {e["kind"] for e in found if e not in startup} - {CLIPS[name]}
        assert not others, f"{name}: false alarms {others}"
        received = counter(stack, admin, "proctor_camera_frames_received", camera)
        decoded = counter(stack, admin, "proctor_camera_frames_decoded", camera)
        # keyframes only: one picture in CLIP_FPS (nobody watches, so nothing else is decoded)
        assert 0 < decoded <= received / CLIP_FPS + 2, (name, decoded, received)
