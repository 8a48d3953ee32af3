"""Startup recovery of the spool after a crash or power cut.

- ``<start>.ts.part`` (the agent died while writing it): MPEG-TS is a stream of self-contained
  188-byte packets, so whatever reached the disk is a playable recording up to the cut. If it
  holds at least one decodable frame it is finished as is (not a byte changed, not a byte
  dropped) and uploaded like any segment, marked ``recovered`` in its sidecar. If it holds
  nothing decodable it is renamed ``<start>.partial-<unix time>.ts`` and logged at ERROR: it
  is kept for a human, never deleted and never uploaded (the server would refuse it).
- ``<start>.ts`` without a sidecar (crash between the two renames, or during the deletion
  after an upload): the sidecar is rebuilt from the file, and the segment is re-sent; the
  server answers 200 if it already holds it.
- ``*.json.tmp``: a sidecar that never got renamed into place; its segment gets a new one.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

import av

from edge_agent.spool import SegmentMeta, Spool, fsync_dir

logger = logging.getLogger(__name__)

HASH_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class ProbeResult:
    """What a segment file holds: H.264 packets and their 90 kHz time span."""

    packets: int
    duration_ms: float
    decodable: bool


def probe_segment(path: Path) -> ProbeResult:
    """Demux a (possibly truncated) TS file and decode its first frame."""
    pts: list[int] = []
    decoded = False
    try:
        with av.open(str(path), format="mpegts") as container:
            stream = container.streams.video[0]
            decoder = av.CodecContext.create("h264", "r")
            for packet in container.demux(stream):
                if packet.pts is None or not packet.size:
                    continue
                pts.append(packet.pts)
                if not decoded:
                    decoded = bool(decoder.decode(packet))
    except (av.FFmpegError, IndexError, OSError):
        pass  # a truncated tail ends the demux; what came before still counts
    if not pts:
        return ProbeResult(0, 0.0, False)
    interval = (pts[-1] - pts[0]) / (len(pts) - 1) if len(pts) > 1 else 0
    return ProbeResult(len(pts), (pts[-1] - pts[0] + interval) / 90, decoded)


def file_sha256(path: Path) -> str:
    """The hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def recover_segment(spool: Spool, path: Path, camera_id: int, agent_version: str) -> Path | None:
    """Finish ``path`` (a ``.ts.part`` or a ``.ts`` without sidecar) into a pending segment.

    Returns the pending segment, or None when nothing in it decodes (it is then set aside).
    """
    start_ms = int(path.name.split(".", 1)[0])
    probe = probe_segment(path)
    log = {"camera": camera_id}
    if not probe.decodable:
        aside = path.with_name(f"{start_ms}.partial-{int(time.time())}.ts")
        os.replace(path, aside)
        fsync_dir(path.parent)
        logger.error("segment %s holds no decodable video (%d bytes); kept as %s, not uploaded",
                     path, aside.stat().st_size, aside.name, extra=log)
        return None
    meta = SegmentMeta(
        camera_id=camera_id, start_ms=start_ms, end_ms=start_ms + round(probe.duration_ms),
        sha256=file_sha256(path), size=path.stat().st_size, clock_offset_ms=None,
        agent_version=agent_version, packets=probe.packets, recovered=True,
    )
    if path.name.endswith(".part"):
        with open(path, "rb+") as file:
            os.fsync(file.fileno())
    segment = spool.commit(path, meta)
    logger.warning("recovered segment %s: %d packets, %.1f s, queued for upload",
                   segment, probe.packets, probe.duration_ms / 1000, extra=log)
    return segment


def recover_spool(spool: Spool, agent_version: str) -> int:
    """Recover every camera folder; returns how many segments were made pending."""
    recovered = 0
    for camera_id, folder in spool.camera_folders():
        for temp in folder.glob("*.json.tmp"):
            temp.unlink()
        for path in sorted(folder.iterdir()):
            unfinished = path.name.endswith(".ts.part") or (
                path.suffix == ".ts" and path.stem.isdigit()
                and not path.with_suffix(".json").exists()
            )
            if unfinished and recover_segment(spool, path, camera_id, agent_version):
                recovered += 1
    return recovered
