"""Archive readers for the benches: closed-loop clients asking nodes for clips of recorded
footage (``GET /api/cameras/{id}/clip.mp4``), each window a different one so the node's clip
cache never answers, as complaint handlers each looking at their own moment."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import httpx
from sqlalchemy import text

from proctor.db.session import create_db_engine

CLIP_MS = 8_000
STEP_MS = 997  # successive windows of one reader start this much apart (never the same)


@dataclass
class ArchiveReads:
    """What the readers got."""

    clips: int = 0
    errors: int = 0
    first_error: str = ""
    latencies_ms: list[float] = field(default_factory=list)


def recorded_spans(database_url: str) -> dict[int, tuple[int, int]]:
    """``camera -> (first start_ms, last end_ms)`` of its stored segments."""
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT camera_id, MIN(start_ms), MAX(end_ms) FROM segments GROUP BY camera_id"))
            return {int(camera): (int(first), int(last)) for camera, first, last in rows}
    finally:
        engine.dispose()


async def read_clips(url: str, token: str, spans: dict[int, tuple[int, int]],
                     cameras: list[int], readers: int, seconds: float) -> ArchiveReads:
    """``readers`` clients asking ``url`` for clips of ``cameras`` (those with a span of at
    least :data:`CLIP_MS`), one request after another for ``seconds``."""
    usable = [c for c in cameras if c in spans and spans[c][1] - spans[c][0] > CLIP_MS]
    reads = ArchiveReads()
    if not usable:
        return reads
    deadline = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}"}

    async def reader(index: int) -> None:
        async with httpx.AsyncClient(timeout=60, headers=headers) as http:
            turn = index
            while time.monotonic() < deadline:
                camera = usable[turn % len(usable)]
                first, last = spans[camera]
                start = first + (turn * STEP_MS) % (last - first - CLIP_MS)
                started = time.monotonic()
                try:
                    answer = await http.get(f"{url}/api/cameras/{camera}/clip.mp4",
                                            params={"from": start, "to": start + CLIP_MS})
                    answer.raise_for_status()
                    reads.clips += 1
                    reads.latencies_ms.append(1000 * (time.monotonic() - started))
                except httpx.HTTPError as error:  # a refusal, or no answer in time
                    reads.errors += 1
                    reads.first_error = reads.first_error or f"{type(error).__name__}: {error}"
                turn += readers

    await asyncio.gather(*(reader(i) for i in range(readers)))
    return reads
