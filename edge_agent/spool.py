"""The durable spool: finished segments wait here, on disk, until the server acknowledged them.

Layout under ``spool_dir``::

    <camera_id>/<start_ms>.ts.part    being written (never listed, never uploaded)
    <camera_id>/<start_ms>.ts         finished segment, fsynced before its rename
    <camera_id>/<start_ms>.json       its sidecar (sha256, size, times, clock offset)
    rejected/<camera_id>/...          segments the server refused: kept for a human

A segment is *pending* once both its ``.ts`` and its ``.json`` exist; the sidecar is renamed
into place last, so a pending segment is always complete. The spool keeps no state outside
these files: after a restart, the directory listing is the upload queue.

Cap policy: ``spool_max_bytes`` is an alarm threshold, never a reason to delete. Reaching it
raises a loud alarm (see :mod:`edge_agent.status`) and recording CONTINUES, because the exam
happening now can never be recorded again, while everything already spooled stays spooled
either way: stopping at the cap would certainly lose the new footage to save disk space
nobody else needs. Recording only pauses when the file system itself is nearly full
(:data:`DISK_RESERVE_BYTES` left), so that commits, sidecars and the OS keep working.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import time
from collections.abc import Collection
from dataclasses import asdict, dataclass
from pathlib import Path

from proctor.private_file import open_private, private_dir

DISK_RESERVE_BYTES = 64 * 1024**2
REJECTED_DIR = "rejected"
_SEGMENT_NAME = re.compile(r"^(\d+)\.ts$")


@dataclass(frozen=True)
class SegmentMeta:
    """What the sidecar says about one segment (times are epoch ms on the agent's clock)."""

    camera_id: int
    start_ms: int
    end_ms: int
    sha256: str
    size: int
    clock_offset_ms: float | None
    agent_version: str
    packets: int
    recovered: bool = False

    def to_json(self) -> bytes:
        """The sidecar's bytes."""
        return json.dumps(asdict(self), indent=1).encode()

    @classmethod
    def from_json(cls, data: bytes) -> SegmentMeta:
        """Parse a sidecar written by :meth:`to_json`."""
        return cls(**json.loads(data))


@dataclass(frozen=True)
class SpoolUsage:
    """How full the spool is, and what is waiting (for the alarm and the status report)."""

    used_bytes: int
    max_bytes: int
    pending_segments: int
    camera_bytes: dict[int, int]
    camera_oldest_ms: dict[int, int]  # start of each camera's oldest unsent segment

    @property
    def oldest_pending_ms(self) -> int | None:
        """Start of the oldest unsent segment of any camera."""
        return min(self.camera_oldest_ms.values(), default=None)

    @property
    def over_cap(self) -> bool:
        """Whether the spool has reached its cap."""
        return self.used_bytes >= self.max_bytes


def fsync_dir(path: Path) -> None:
    """Make renames and unlinks in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``path`` through a fsynced temp file and a rename (the caller fsyncs the dir)."""
    temp = path.with_name(path.name + ".tmp")
    temp.unlink(missing_ok=True)  # left by a crash; recovery handles its segment
    with open_private(temp) as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temp, path)


class Spool:
    """Segment files of every camera under one directory."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        private_dir(root)

    def camera_dir(self, camera_id: int) -> Path:
        """The camera's folder (created on first use)."""
        return private_dir(self.root / str(camera_id))

    def new_part(self, camera_id: int, start_ms: int) -> tuple[Path, int]:
        """A fresh ``.part`` path and its start; the start moves on by 1 ms if it is taken
        (the wall clock stepped back), so no segment is ever overwritten."""
        folder = self.camera_dir(camera_id)
        while any((folder / f"{start_ms}{suffix}").exists() for suffix in (".ts", ".ts.part")):
            start_ms += 1
        return folder / f"{start_ms}.ts.part", start_ms

    def has_room_to_record(self) -> bool:
        """False when the file system has less than :data:`DISK_RESERVE_BYTES` free."""
        return shutil.disk_usage(self.root).free >= DISK_RESERVE_BYTES

    def commit(self, part: Path, meta: SegmentMeta) -> Path:
        """Publish a fsynced ``.part`` as a pending segment: rename it, write the sidecar."""
        segment = part.with_name(f"{meta.start_ms}.ts")
        os.replace(part, segment)
        write_atomic(segment.with_suffix(".json"), meta.to_json())
        fsync_dir(part.parent)
        return segment

    def segment_path(self, meta: SegmentMeta) -> Path:
        """Where a pending segment's bytes are."""
        return self.root / str(meta.camera_id) / f"{meta.start_ms}.ts"

    def pending(self) -> list[tuple[int, int]]:
        """``(start_ms, camera_id)`` of every pending segment, oldest first."""
        found = []
        for camera_id, folder in self.camera_folders():
            for entry in os.scandir(folder):
                match = _SEGMENT_NAME.match(entry.name)
                if match and os.path.exists(folder / f"{match.group(1)}.json"):
                    found.append((int(match.group(1)), camera_id))
        return sorted(found)

    def load(self, camera_id: int, start_ms: int) -> SegmentMeta:
        """Read a pending segment's sidecar."""
        return SegmentMeta.from_json((self.root / str(camera_id) / f"{start_ms}.json").read_bytes())

    def oldest(self, skip_cameras: Collection[int] = ()) -> SegmentMeta | None:
        """The segment to upload next (oldest first), ignoring cameras in ``skip_cameras``."""
        for start_ms, camera_id in self.pending():
            if camera_id not in skip_cameras:
                return self.load(camera_id, start_ms)
        return None

    def acknowledge(self, meta: SegmentMeta) -> None:
        """The server holds this segment: delete it locally. The sidecar goes first, so a crash
        in between leaves a segment that is re-sent (idempotent), never a lost one."""
        segment = self.segment_path(meta)
        segment.with_suffix(".json").unlink()
        segment.unlink()
        fsync_dir(segment.parent)

    def reject(self, meta: SegmentMeta, status: int, detail: str) -> Path:
        """Move a refused segment to ``rejected/`` with the server's reason; returns its path."""
        segment = self.segment_path(meta)
        folder = self.root / REJECTED_DIR / str(meta.camera_id)
        private_dir(folder)
        reason = {"status": status, "detail": detail, "rejected_at_ms": int(time.time() * 1000)}
        write_atomic(folder / f"{meta.start_ms}.rejection.json", json.dumps(reason).encode())
        os.replace(segment, folder / segment.name)
        os.replace(segment.with_suffix(".json"), folder / f"{meta.start_ms}.json")
        fsync_dir(folder)
        fsync_dir(segment.parent)
        return folder / segment.name

    def usage(self) -> SpoolUsage:
        """Bytes used (everything under the spool, rejected and partial files included)."""
        camera_bytes: dict[int, int] = {}
        for camera_id, folder in self.camera_folders():
            camera_bytes[camera_id] = _tree_bytes(folder)
        rejected = self.root / REJECTED_DIR
        used = sum(camera_bytes.values()) + (_tree_bytes(rejected) if rejected.is_dir() else 0)
        pending = self.pending()
        oldest: dict[int, int] = {}
        for start_ms, camera_id in pending:
            oldest.setdefault(camera_id, start_ms)
        return SpoolUsage(used, self.max_bytes, len(pending), camera_bytes, oldest)

    def camera_folders(self) -> list[tuple[int, Path]]:
        """``(camera_id, folder)`` of every camera that has spooled something."""
        return [(int(e.name), Path(e.path)) for e in os.scandir(self.root)
                if e.is_dir() and e.name.isdigit()]


def _tree_bytes(folder: Path) -> int:
    total = 0
    for entry in os.scandir(folder):
        if entry.is_dir():
            total += _tree_bytes(Path(entry.path))
        else:
            with contextlib.suppress(FileNotFoundError):  # uploaded and deleted while we looked
                total += entry.stat().st_size
    return total
