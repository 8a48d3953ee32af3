"""H.264 packets of the sample footage as the agent's pipeline gets them, and a recorder fed
with them as if they arrived in real time."""

from __future__ import annotations

from pathlib import Path

import av

from edge_agent.config import RecordingConfig
from edge_agent.recorder import SegmentRecorder
from edge_agent.sources import ContainerSource
from edge_agent.spool import Spool

T0_MS = 1_790_000_000_000


def footage_packets(path: Path) -> list[av.Packet]:
    """Every packet exactly as the agent's pipeline gets it (Annex-B, 90 kHz pts), unpaced."""
    source = ContainerSource(str(path), "footage", paced=False)
    packets = list(source.items())
    source.close()
    return packets


def record(spool: Spool, packets: list[av.Packet], segment_seconds: float = 10.0,
           offset: float | None = 12.5) -> SegmentRecorder:
    """Feed packets as if they arrived in real time from T0_MS (arrival = T0 + pts)."""
    recorder = SegmentRecorder(1, spool, RecordingConfig(segment_seconds=segment_seconds),
                               lambda: offset)
    for packet in packets:
        recorder.feed(packet, wall_ms=T0_MS + packet.pts // 90)
    recorder.cut()
    return recorder
