"""The agent ↔ server link impaired and then cut: live view degrades and comes back by
itself, and recording loses nothing.

The agent runs in a network namespace of its own, joined to the test's namespace (where the
server runs) by :class:`~proctor_dev.impaired_link.ImpairedLink`: a userspace stand-in for
``tc netem``, which this machine's kernel lacks. A WHEP viewer watches the camera over
loopback the whole time, as a supervisor would. The link gets 5 % loss and 300 ms delay each
way for :data:`IMPAIRED_SEGMENTS` segments, then is cut for ``cut_s`` seconds, then
restored; nobody restarts anything. Every segment the agent recorded must then be stored (or
still spooled, at its stop) and the camera's hash chain must verify.

Time: about 3 minutes (20 s impaired, the 60 s cut, the backlog, a server restart).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.edge_faults import (
    SEGMENT_S,
    chain_intact,
    ledger,
    login,
    online,
    recorded,
    spooled,
    start_edge,
)
from support.ingest import segments
from support.stack import Stack
from support.wait import wait_until

from proctor_dev.bench.viewer import WhepViewer
from proctor_dev.impaired_link import ImpairedLink

pytestmark = pytest.mark.slow  # a server, SeaweedFS, an agent, WebRTC and a 60 s cut

CUT_S = 60.0  # the cut's length (the test's parameter); the suite's budget allows a minute
IMPAIRED_SEGMENTS = 10  # 20 s of 5 % loss and 300 ms delay each way
LOSS, DELAY_MS = 0.05, 300.0


def _only_loopback() -> bool:
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    return all(": lo:" in line for line in links.splitlines())


@pytest.fixture
def link() -> Iterator[ImpairedLink]:
    """The agent's namespace and its link; removed even when the test fails."""
    if not _only_loopback():
        pytest.skip("creates network devices: run inside `unshare --net` (see README)")
    try:
        made = ImpairedLink().open()
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip(f"cannot create a network namespace and TUN devices (root needed): {error}")
    try:
        yield made
    finally:
        made.close()


def _frames_since(viewer: WhepViewer, since: float) -> int:
    return sum(1 for at in viewer.stats.frame_times if at >= since)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("cut_s", [CUT_S])
async def test_a_lossy_then_cut_link_degrades_live_and_loses_no_segment(
        stack: Stack, link: ImpairedLink, h264_footage: Path, cut_s: float) -> None:
    stack.stop_server()  # the server listens on the link too, and offers its address to ICE
    stack.server_env.update({"PROCTOR_HOST": "0.0.0.0",
                             "PROCTOR_ICE_HOST_ADDRESSES": f"{link.near},127.0.0.1"})
    stack.start_server()
    assert stack.site_a is not None
    camera = stack.site_a.camera_ids[0]
    spool = stack.data_dir / "spool"
    agent = start_edge(stack, {camera: h264_footage.as_uri()},
                       server_url=f"http://{link.near}:{stack.port}",
                       ice_host_addresses=[link.far], prefix=link.command())
    viewer, admin = WhepViewer(stack.url, camera, login(stack, "sup_a")), login(stack, "admin")
    assert await wait_until(lambda: online(stack, admin, camera),
                            90, interval=0.5), "the camera never came online through the link"
    await viewer.start()
    try:
        assert await wait_until(lambda: len(segments(stack, camera)) >= 2, 60, interval=0.5)
        assert await wait_until(lambda: viewer.stats.frames >= 30, 60)

        link.impair(LOSS, DELAY_MS)
        impaired_at, made = time.monotonic(), len(recorded(stack))
        assert await wait_until(lambda: len(recorded(stack)) >= made + IMPAIRED_SEGMENTS,
                                IMPAIRED_SEGMENTS * SEGMENT_S * 4, interval=0.5)
        impaired_s = time.monotonic() - impaired_at
        impaired_fps = _frames_since(viewer, impaired_at) / impaired_s

        link.cut()
        cut_at, made = time.monotonic(), len(recorded(stack))
        # the cut lasts until the agent has recorded cut_s of footage (it plays in real time)
        assert await wait_until(lambda: len(recorded(stack)) >= made + cut_s / SEGMENT_S,
                                cut_s * 3, interval=0.5)
        restored_at = time.monotonic()
        cut_s = restored_at - cut_at
        last_frame_in_cut = max((t for t in viewer.stats.frame_times if t < restored_at),
                                default=cut_at)
        link.restore()

        assert await wait_until(lambda: _frames_since(viewer, restored_at) > 0, 120,
                                interval=0.2), "live view did not come back by itself"
        live_recovery_s = min(t for t in viewer.stats.frame_times if t >= restored_at) \
            - restored_at
        assert await wait_until(lambda: len(spooled(spool)) <= 1, 240, interval=0.5), \
            "the spool did not drain after the link came back"
        backlog_s = time.monotonic() - restored_at
        assert await wait_until(lambda: _frames_since(viewer, restored_at) >= 30, 60)
        assert agent.running()
    finally:
        await viewer.stop()
        for running in stack.agents:
            running.stop()
    count = ledger(stack, camera, spool)
    chain = chain_intact(stack, camera)
    starts = [s.agent_start_ms for s in segments(stack, camera)]
    print(f"\nlink: impaired {impaired_s:.0f} s (loss {LOSS:.0%}, delay {DELAY_MS:.0f} ms): "
          f"live {impaired_fps:.1f} fps; cut {cut_s:.0f} s: live silent "
          f"{restored_at - last_frame_in_cut:.1f} s before the restore; live back "
          f"{live_recovery_s:.1f} s after it; backlog uploaded {backlog_s:.0f} s after it; "
          f"{count}; {chain}", file=sys.stderr)
    assert restored_at - last_frame_in_cut >= cut_s / 2, "live view should stop in the cut"
    assert count.lost == [], count
    assert count.stored >= IMPAIRED_SEGMENTS + cut_s / SEGMENT_S
    assert len(starts) == len(set(starts)), "a segment was stored twice"
