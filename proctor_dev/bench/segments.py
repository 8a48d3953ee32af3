"""Counting an agent's segments for the benches: what it recorded (its log), what is still
waiting in its spool, and what the server stored (the database), each as
``(camera, the agent's start_ms)``, so ``recorded - stored - spooled`` is what was lost."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import text

from proctor.db.session import create_db_engine

RECORDED = re.compile(r"segment (\d+) recorded \(.*camera=(\d+)")
SegmentId = tuple[int, int]  # camera, the agent's start_ms


def stored_segments(database_url: str) -> set[SegmentId]:
    """The segments the server indexed."""
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT camera_id, agent_start_ms FROM segments"))
            return {(int(camera), int(start)) for camera, start in rows}
    finally:
        engine.dispose()


def recorded_segments(agent_log: Path) -> set[SegmentId]:
    """The segments the agent says it recorded."""
    return {(int(m[2]), int(m[1])) for m in RECORDED.finditer(agent_log.read_text())}


def spooled_segments(spool: Path) -> set[SegmentId]:
    """The finished segments still waiting in the agent's spool."""
    return {(int(path.parent.name), int(path.stem)) for path in spool.glob("*/*.ts")}
