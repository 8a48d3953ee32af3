"""Edge faults with a real agent, server and store: a power cut mid-segment, a clock 10 min
off, a full disk. Each proves the behaviour README.md and edge_agent/ document:

- power cut: the half-written segment is recovered at the next start exactly as it reached
  the disk (not a byte changed) and uploaded; nothing else is lost. SIGKILL stands in for the
  cut: it keeps what the kernel already holds, which a real power loss may not (the tail
  after the last fsync); the unit tests in test_recovery.py cut files at any byte.
- clock off: the agent measures its offset to the server and every segment carries it, so
  the server places footage on its own clock (10 min ahead would otherwise be refused).
- disk full: recording pauses while the spool's file system is nearly full, live view and
  uploads go on, and recording resumes by itself once there is room; what reached the disk
  is uploaded.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.edge_faults import (
    agent_log,
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

pytestmark = pytest.mark.slow  # a server, SeaweedFS and real agents

FAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")
TEN_MINUTES_MS = 600_000
RECOVERED = re.compile(r"recovered segment \S*/(\d+)\.ts:")
SPOOL_DISK = "96m"  # above the agent's 64 MiB reserve (edge_agent.spool.DISK_RESERVE_BYTES)


def _print(line: str) -> None:
    print(f"\n{line}", file=sys.stderr)


def _stored_starts(stack: Stack, camera: int) -> set[int]:
    return {s.agent_start_ms for s in segments(stack, camera)}


async def _settle(stack: Stack, camera: int, spool: Path) -> str:
    """Drain the spool, stop the agents, and check the ledger and the chain."""
    assert await wait_until(lambda: len(spooled(spool)) <= 1, 120, interval=0.5), \
        "the spool did not drain"
    for agent in stack.agents:
        agent.stop()
    count = ledger(stack, camera, spool)
    assert count.lost == [], count
    starts = [s.agent_start_ms for s in segments(stack, camera)]
    assert len(starts) == len(set(starts)), "a segment was stored twice"
    return f"{count}; {chain_intact(stack, camera)}"


def _unfinished(spool: Path, camera: int) -> list[str]:
    """Files of the camera's spool that are not a pending segment (segment + sidecar)."""
    names = set(os.listdir(spool / str(camera)))
    return sorted(name for name in names if not (
        (name.endswith(".ts") and name[:-3] + ".json" in names)
        or (name.endswith(".json") and name[:-5] + ".ts" in names)))


def _part(spool: Path, camera: int, min_bytes: int) -> Path | None:
    """The segment being written, once ``min_bytes`` of it reached the disk."""
    parts = list((spool / str(camera)).glob("*.ts.part"))
    return parts[0] if len(parts) == 1 and parts[0].stat().st_size >= min_bytes else None


@pytest.mark.timeout(300)
async def test_a_power_cut_mid_segment_loses_only_what_never_reached_the_disk(
        stack: Stack, h264_footage: Path) -> None:
    assert stack.site_a is not None
    camera, spool = stack.site_a.camera_ids[0], stack.data_dir / "spool"
    source = {camera: h264_footage.as_uri()}
    agent = start_edge(stack, source, recording={"segment_seconds": 6.0})
    assert await wait_until(lambda: len(segments(stack, camera)) >= 1, 90, interval=0.5)
    part = await wait_until(lambda: _part(spool, camera, 128 * 1024), 30)
    assert part is not None, "no segment half-written"
    agent.kill()  # SIGKILL mid-segment
    cut = part.read_bytes()
    start_ms = int(part.name.split(".")[0])

    restarted = time.monotonic()
    start_edge(stack, source, recording={"segment_seconds": 6.0})
    assert await wait_until(lambda: start_ms in _stored_starts(stack, camera), 90, interval=0.5)
    stored_after_s = time.monotonic() - restarted
    kept = next(s for s in segments(stack, camera) if s.agent_start_ms == start_ms)
    assert kept.sha256 == hashlib.sha256(cut).hexdigest() and kept.size == len(cut)
    assert f"recovered segment {part.with_suffix('')}" in agent_log(stack)
    made = len(recorded(stack))
    assert await wait_until(lambda: len(recorded(stack)) >= made + 2, 60, interval=0.5)
    figures = await _settle(stack, camera, spool)
    seconds = (kept.end_ms - kept.start_ms) / 1000
    _print(f"power cut: the cut segment ({len(cut)} bytes, {seconds:.1f} s) stored "
           f"{stored_after_s:.1f} s after the restart, byte for byte; {figures}")


@pytest.mark.timeout(300)
@pytest.mark.parametrize("shift", ["+10m", "-10m"])
async def test_a_clock_10_minutes_off_is_corrected_by_the_measured_offset(
        stack: Stack, h264_footage: Path, shift: str) -> None:
    if not FAKETIME.exists():
        pytest.skip("needs libfaketime (apt-get install libfaketime)")
    assert stack.site_a is not None
    camera, spool = stack.site_a.camera_ids[0], stack.data_dir / "spool"
    # the monotonic clock is shifted too (by a constant: no harm); with
    # FAKETIME_DONT_FAKE_MONOTONIC=1, Python's time.sleep fails with EINVAL under libfaketime
    env = {"LD_PRELOAD": str(FAKETIME), "FAKETIME": shift}
    start_edge(stack, {camera: h264_footage.as_uri()}, env=env)
    assert await wait_until(lambda: len(segments(stack, camera)) >= 3, 90, interval=0.5)
    assert online(stack, login(stack, "admin"), camera), "live view through a wrong clock"
    agent_ahead_ms = TEN_MINUTES_MS if shift.startswith("+") else -TEN_MINUTES_MS
    for segment in segments(stack, camera):
        assert abs(segment.clock_offset_ms + agent_ahead_ms) < 2_000, segment.clock_offset_ms
        assert segment.start_ms == round(segment.agent_start_ms + segment.clock_offset_ms)
        received_ms = segment.received_at.timestamp() * 1000
        assert 0 < received_ms - segment.end_ms < 30_000, "placed on the server's clock"
    offsets = [s.clock_offset_ms for s in segments(stack, camera)]
    figures = await _settle(stack, camera, spool)
    _print(f"clock {shift}: offsets {min(offsets):.0f}..{max(offsets):.0f} ms; {figures}")


@pytest.fixture
def small_spool_disk(stack: Stack) -> Iterator[Path]:
    """The agent's spool folder on a tmpfs of :data:`SPOOL_DISK` (unmounted after)."""
    spool = stack.data_dir / "spool"
    spool.mkdir(mode=0o700)
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SPOOL_DISK},mode=0700",
                            "tmpfs", str(spool)], capture_output=True, text=True)
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs (root needed): {mount.stderr.strip()}")
    try:
        yield spool
    finally:
        for agent in stack.agents:
            agent.stop()
        subprocess.run(["umount", "-l", str(spool)], check=False)


def _fill(path: Path) -> int:
    """Write ``path`` until its file system is full; returns the bytes written."""
    chunk, written = b"\0" * (1 << 20), 0
    with open(path, "wb") as file:
        try:
            while True:
                written += file.write(chunk)
                file.flush()
        except OSError:
            pass
    return written


@pytest.mark.timeout(300)
async def test_a_full_disk_pauses_recording_and_loses_nothing_already_written(
        stack: Stack, small_spool_disk: Path, h264_footage: Path) -> None:
    assert stack.site_a is not None
    camera, spool = stack.site_a.camera_ids[0], small_spool_disk
    start_edge(stack, {camera: h264_footage.as_uri()})
    assert await wait_until(lambda: len(segments(stack, camera)) >= 2, 90, interval=0.5)
    admin = login(stack, "admin")

    # the disk fills up (another writer) while a segment is being written
    assert await wait_until(lambda: _part(spool, camera, 32 * 1024), 30)
    filler = spool / "filler"
    filled_bytes = _fill(filler)
    filled_at = time.monotonic()
    assert await wait_until(lambda: "No space left on device" in agent_log(stack)
                            or "disk nearly full" in agent_log(stack), 30, interval=0.5)
    made = len(recorded(stack))
    paused = await wait_until(lambda: len(recorded(stack)) > made, 10, interval=0.5)
    assert not paused, "recording should pause while the disk is full"
    assert online(stack, admin, camera), "live view goes on"

    filler.unlink()
    freed_at = time.monotonic()

    def kept() -> list[int]:  # what reached the disk of the segment the full disk broke
        return [int(start) for start in RECOVERED.findall(agent_log(stack))]

    # recording resumes by itself, queueing the broken segment before its next one
    assert await wait_until(kept, 60, interval=0.5), "the broken segment was not kept"
    resumed_s = time.monotonic() - freed_at
    paused_s = freed_at - filled_at
    assert await wait_until(lambda: max(_stored_starts(stack, camera)) > kept()[-1], 60,
                            interval=0.5), "nothing recorded after the disk had room again"
    assert set(kept()) <= _stored_starts(stack, camera), "the segment the full disk cut is lost"
    figures = await _settle(stack, camera, spool)
    _print(f"disk full ({filled_bytes >> 20} MiB written to fill it): recording paused "
           f"{paused_s:.0f} s, resumed {resumed_s:.1f} s after space was freed; segments "
           f"cut by it and uploaded {len(kept())}; {figures}")
    assert _unfinished(spool, camera) == [], "a segment cut by the full disk was left behind"
