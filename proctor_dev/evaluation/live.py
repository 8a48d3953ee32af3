"""Scenario clips through the live path (``proctor eval scenarios --live``).

Each clip becomes an MP4 a camera could send (one scenario sample a second, held for
``CLIP_FPS`` frames, a keyframe each second, Baseline without B-frames, so the agent passes
it through), and one camera each: a real agent publishes them all over WHIP to a real server
whose feeds decode keyframes only, whose sampler takes one a second, and whose analysis
(detector process, rules) opens events. The evaluation polls ``/api/events`` every second,
so an event's opening time is when it asked the API that first showed it. Clip time 0 is the
agent's send time of the clip's first frame (its send log, :mod:`edge_agent.send_log`).

Not playable live, and said so: a clip with a stretch of no frames (a file source cannot
withhold them; a cut link is tested in tests/test_fault_link.py) and a clip that withholds the
detector (the server's cannot be switched off for a stretch). Each clip starts with a lead of
``LEAD_S`` of its first samples, so the camera is connected and its baseline learnt at clip
time 0 (without it the agent's first seconds went by before WHIP connected, and ``defocused``
was missed: its baseline included blurred samples); ``not_analysed`` and ``stream_lost``
events that begin in the lead (the camera and the detector starting) are counted apart,
not as false alarms.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import av
import cv2
import httpx
import numpy as np

from edge_agent.send_log import SEND_LOG_ENV
from proctor.rtc.h264 import VIDEO_CLOCK_RATE
from proctor.vision.kinds import EventKind
from proctor_dev.bench.live import BENCH_PASSWORD, provision_bench
from proctor_dev.evaluation import scenarios as sc
from proctor_dev.processes import agent_process, free_port, server_process, wait_http_ready
from proctor_dev.provision import write_agent_config

CLIP_FPS = 5  # pictures per second of a published clip; each scenario sample is held 1 s
LEAD_S = 15  # the clip's first samples played before it: the camera connects and the
# analysis learns its baseline (10 samples) before clip time 0, as on a camera that was on
SETTLE_S = 15.0  # after the longest clip ends, for its last events to open
STARTUP_KINDS = (EventKind.NOT_ANALYSED, EventKind.STREAM_LOST)


def encode_clip(scenario: sc.Scenario, path: Path, fps: int = CLIP_FPS, lead_s: int = 0) -> Path:
    """The clip as an MP4 a camera could send: a keyframe per sample, constrained baseline;
    ``lead_s`` of its first samples play before it (clip time 0 then comes ``lead_s`` in)."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        first = scenario.frame(0)
        if first is None:
            raise ValueError(f"{scenario.name} has no first picture")
        stream.width, stream.height, stream.pix_fmt = first.shape[1], first.shape[0], "yuv420p"
        stream.codec_context.profile = "Baseline"
        stream.codec_context.options = {"preset": "veryfast", "bf": "0", "g": str(fps),
                                        "keyint_min": str(fps), "sc_threshold": "0"}
        for i in [*range(lead_s), *range(scenario.samples)]:
            picture = scenario.frame(i)
            if picture is None:
                raise ValueError(f"{scenario.name} has no picture at {i} s: {unplayable(scenario)}")
            rgb = cv2.cvtColor(picture, cv2.COLOR_BGR2RGB).astype(np.uint8)
            for _ in range(fps):
                out.mux(stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
        out.mux(stream.encode(None))
    return path


def unplayable(scenario: sc.Scenario) -> str | None:
    """Why the clip cannot go through the live path, or None if it can."""
    if scenario.detector_down:
        return "it withholds the detector, and the server's cannot be switched off for a stretch"
    if any(scenario.frame(i) is None for i in range(scenario.samples)):
        return "it has a stretch without frames, which a file source cannot withhold"
    return None


def metric_value(metrics: str, name: str, camera: int) -> float:
    """A per-camera sample of the server's /metrics text (0 if absent)."""
    match = re.search(rf'^{name}{{camera="{camera}"}} (\S+)$', metrics, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


@dataclass
class LiveRun:
    """What the live path made of the clips."""

    results: list[sc.ScenarioResult]
    frames_received: dict[str, int]  # by clip name
    frames_decoded: dict[str, int]
    startup_events: int  # not_analysed / stream_lost in the lead (camera, detector starting)


def _clip_starts(send_log: Path) -> dict[int, float]:
    """Per camera, the wall time (s) of its clip's time 0, from the agent's first packet."""
    starts: dict[int, float] = {}
    for line in send_log.read_text().splitlines():
        camera, _stream, pts, wall_ms = line.split()
        starts.setdefault(int(camera), int(wall_ms) / 1000 - int(pts) / VIDEO_CLOCK_RATE)
    return starts


def _opened(seen: dict[int, tuple[dict[str, Any], float]], camera: int,
            t0: float) -> list[sc.OpenedEvent]:
    events = [(e, at) for e, at in seen.values() if e["camera_id"] == camera]
    return sorted((sc.OpenedEvent(EventKind(e["kind"]), e["zone"],
                                  datetime.fromisoformat(e["started_at"]).timestamp() - t0,
                                  at - t0) for e, at in events), key=lambda e: e.opened_at)


async def _watch_events(http: httpx.AsyncClient, seconds: float
                        ) -> dict[int, tuple[dict[str, Any], float]]:
    """Every event (the admin sees every camera) and when it was first shown: the time of
    the request whose answer first held it (one request for all cameras a second)."""
    seen: dict[int, tuple[dict[str, Any], float]] = {}
    deadline = time.time() + seconds
    while time.time() < deadline:
        asked = time.time()
        response = await http.get("/api/events", params={"limit": 1000})
        response.raise_for_status()
        for event in response.json():
            seen.setdefault(event["id"], (event, asked))
        await asyncio.sleep(max(0.0, asked + 1.0 - time.time()))
    return seen


async def run_live(scenarios: list[sc.Scenario], work: Path,
                   log: Callable[[str], object] = print) -> LiveRun:
    """Publish every clip at once, one camera each, and score the events the server opened."""
    clips = [encode_clip(s, work / f"{s.name}.mp4", lead_s=LEAD_S) for s in scenarios]
    token, cameras = provision_bench(work, len(scenarios))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    write_agent_config(work / "agent.toml", url, token,
                       {c: clip.as_uri() for c, clip in zip(cameras, clips, strict=True)},
                       ["127.0.0.1"], camera_options={c: {"loop": False} for c in cameras})
    send_log = work / "send.log"
    server = server_process(work, port, log_path=work / "server.log",
                            extra_env={"PROCTOR_ANALYSIS_ENABLED": "true"}).start()
    agent = None
    try:
        wait_http_ready(f"{url}/api/auth/me", server)
        login = httpx.post(f"{url}/api/auth/login", timeout=60,
                           json={"username": "bench", "password": BENCH_PASSWORD})
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as http:
            for scenario, camera in zip(scenarios, cameras, strict=True):
                (await http.put(f"/api/cameras/{camera}/scene",
                                json=scenario.scene.model_dump(mode="json"))).raise_for_status()
            agent = agent_process(work / "agent.toml", log_path=work / "agent.log",
                                  env={SEND_LOG_ENV: str(send_log)}).start()
            seconds = LEAD_S + max(s.samples for s in scenarios) + SETTLE_S
            log(f"{len(scenarios)} clips live, one camera each, for {seconds:.0f} s")
            seen = await _watch_events(http, seconds)
            metrics = (await http.get("/metrics")).text
    finally:
        if agent is not None:
            agent.stop()
        server.stop()
    starts = {camera: t + LEAD_S for camera, t in _clip_starts(send_log).items()}
    return score_run(scenarios, cameras, seen, metrics, starts)


def score_run(scenarios: list[sc.Scenario], cameras: list[int],
           seen: dict[int, tuple[dict[str, Any], float]], metrics: str,
           starts: dict[int, float]) -> LiveRun:
    """Score each clip on its camera's events (``seen``: event and when first shown),
    with clip time 0 at ``starts[camera]``; frames from the server's ``metrics``."""
    results, startup = [], 0
    for scenario, camera in zip(scenarios, cameras, strict=True):
        if camera not in starts:
            raise RuntimeError(f"camera {camera} ({scenario.name}) sent nothing: see agent.log")
        events = [e for e in _opened(seen, camera, starts[camera])
                  if e.started_at < scenario.samples]  # after the clip: the camera ended
        starting = [e for e in events if e.kind in STARTUP_KINDS and e.started_at < 0]
        startup += len(starting)
        results.append(sc.score(scenario, [e for e in events if e not in starting]))
    received = {s.name: int(metric_value(metrics, "proctor_camera_frames_received_total", c))
                for s, c in zip(scenarios, cameras, strict=True)}
    decoded = {s.name: int(metric_value(metrics, "proctor_camera_frames_decoded_total", c))
               for s, c in zip(scenarios, cameras, strict=True)}
    return LiveRun(results, received, decoded, startup)
