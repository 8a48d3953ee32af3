"""Detection at the edge, end to end: a real agent with a ``[detection]`` table detects on
its camera's key frames and sends observations; the real server turns them into the same
events and camera states as its own analysis, without analysing the camera itself. The
observations route takes only the device's own cameras and valid bodies."""

from __future__ import annotations

from pathlib import Path

import httpx
from support.stack import Stack
from support.wait import wait_until
from test_analysis_live import analysis, bearer, events, metric, set_expected

from proctor.vision.observation import Observation
from proctor_dev.processes import agent_process
from proctor_dev.provision import write_agent_config


async def test_edge_observations_raise_events_and_the_server_does_not_sample(
        analysis_stack: Stack, h264_footage: Path) -> None:
    stack = analysis_stack
    assert stack.site_a is not None and stack.site_b is not None
    camera = stack.site_a.camera_ids[0]
    admin = stack.login("admin")
    set_expected(stack, admin, camera, 40)  # the footage shows far fewer people
    config = stack.data_dir / "edge.toml"
    write_agent_config(config, stack.url, stack.site_a.device_token,
                       {camera: h264_footage.as_uri()}, ["127.0.0.1"],
                       {"spool_dir": str(stack.data_dir / "edge-spool")})
    with config.open("a") as toml:
        toml.write('\n[detection]\nfps = 1.0\ndetector = { threads = 1 }\n')
    stack.agents.append(agent_process(config, log_path=stack.data_dir / "edge.log").start())

    assert await wait_until(lambda: events(stack, admin, kind="person_missing", open=True), 120)
    [event] = events(stack, admin, kind="person_missing", open=True)
    assert event["camera_id"] == camera and event["peak"]["expected"] == 40
    state = analysis(stack, admin, camera)
    assert state is not None and state["analysed"] is True and state["people"] < 40
    assert metric(stack, admin, "proctor_analysis_analysed_total") == 0  # all at the edge
    assert "detecting at the edge on 1 camera" in (stack.data_dir / "edge.log").read_text()

    url = f"{stack.url}/api/cameras/{{}}/observations"
    device = bearer(stack.site_a.device_token)
    body = {"observations": [Observation.of(1e9, None, []).model_dump(mode="json")]}
    other = httpx.post(url.format(stack.site_b.camera_ids[0]), headers=device, json=body)
    assert other.status_code == 404  # another device's camera
    bad = httpx.post(url.format(camera), headers=device, json={"observations": [
        {"at": 1e9, "picture": None, "boxes": [{"label": "person", "confidence": 0.9,
                                                "box": [0.9, 0, 0.1, 1]}]}]})
    assert bad.status_code == 422 and "x1 <= x2" in bad.text
    old = httpx.post(url.format(camera), headers=device, json=body)  # older than the latest
    assert old.status_code == 200 and old.json() == {"taken": 0, "skipped": 1}
