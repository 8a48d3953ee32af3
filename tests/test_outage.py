"""Nothing recorded is lost when the server or the object store is down for a minute.

A real proctor-edge records real footage in 2-second segments while the server (first
test) or the object store (second test) is stopped for 60 s and then restored. Every
segment must arrive, the hash chain must verify, and coverage must show no gap.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.ingest import segments
from support.stack import Stack
from support.wait import wait_until
from typer.testing import CliRunner

from proctor.cli.main import app
from proctor_dev.seaweed import EmbeddedSeaweedFS

OUTAGE_S = 60
RECORDING = {"segment_seconds": 2.0}


def stored(stack: Stack, camera: int) -> list[tuple[int, int]]:
    return [(s.start_ms, s.end_ms) for s in segments(stack, camera)]


def pending(stack: Stack) -> list[Path]:
    """Finished segments still waiting in the agent's spool."""
    return sorted((stack.data_dir / "spool").rglob("*.ts"))


def cli(stack: Stack, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    for key, value in {**stack.server_env, "PROCTOR_DATA_DIR": str(stack.data_dir)}.items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


async def record_through(stack: Stack, footage: Path, outage, restore,  # type: ignore[no-untyped-def]
                         monkeypatch: pytest.MonkeyPatch) -> None:
    camera = stack.site_a.camera_ids[0]
    agent = stack.start_agent({camera: footage.as_uri()}, recording=RECORDING)
    assert await wait_until(lambda: len(stored(stack, camera)) >= 2, 30)
    outage()
    down_since = time.monotonic()
    # the outage lasts until the agent has spooled about OUTAGE_S of footage (2 s segments;
    # the footage plays in real time, so this is an outage of about a minute)
    assert await wait_until(lambda: len(pending(stack)) >= OUTAGE_S // 3, OUTAGE_S * 3), (
        "the agent should have spooled the outage")
    restore()
    restored_at = time.monotonic()
    # the backlog drains; one segment may be in flight behind the live edge
    assert await wait_until(lambda: len(pending(stack)) <= 1, 90, interval=0.5)
    assert agent.running()
    spans = stored(stack, camera)
    outage_ms = (restored_at - down_since) * 1000
    assert spans[-1][1] - spans[0][0] >= outage_ms, "footage of the outage is missing"
    report = cli(stack, monkeypatch, "archive", "coverage", "--camera", str(camera),
                 "--from", str(spans[0][0]), "--to", str(spans[-1][1]))
    assert "complete" in report and "gap" not in report, report
    assert "chain intact" in cli(stack, monkeypatch, "archive", "verify", "--camera", str(camera))
    starts = [start for start, _ in spans]
    assert len(starts) == len(set(starts)), "a segment was stored twice"


async def test_server_outage_of_a_minute_loses_nothing(
        stack: Stack, h264_footage: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    await record_through(stack, h264_footage, stack.stop_server, stack.start_server, monkeypatch)


@pytest.fixture
def own_store_stack(stack: Stack, tmp_path: Path) -> Iterator[tuple[Stack, EmbeddedSeaweedFS]]:
    """The stack rewired to a SeaweedFS of its own, which the test may stop and restart."""
    store = EmbeddedSeaweedFS(tmp_path / "seaweed").start()
    stack.stop_server()
    stack.server_env.update(store.server_env())  # its runtime and admin keys
    stack.start_server()
    yield stack, store
    store.stop()


async def test_object_store_outage_of_a_minute_loses_nothing(
        own_store_stack: tuple[Stack, EmbeddedSeaweedFS], h264_footage: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    stack, store = own_store_stack
    await record_through(stack, h264_footage, store.stop, store.start, monkeypatch)
    log = (stack.data_dir / "server.log").read_text()
    assert "object store failure: object store unreachable" in log
