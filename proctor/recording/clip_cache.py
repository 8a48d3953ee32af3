"""The local clip cache: assembled MP4s are kept for repeat viewing, within a disk budget.

The least recently used clips go first (a hit refreshes a clip's modification time). The
cache is only a convenience: every clip can be assembled again from the store.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

logger = logging.getLogger(__name__)
PARTIAL_SUFFIX = ".partial.mp4"


def touch(path: Path) -> None:
    """Mark a cached clip as just used."""
    with contextlib.suppress(FileNotFoundError):
        os.utime(path)


def evict(cache_dir: Path, limit_bytes: int, keep: Path) -> int:
    """Delete the least recently used clips until the cache fits ``limit_bytes``; never
    ``keep`` (the clip about to be served) nor clips still being written. Returns how many
    bytes were freed."""
    clips = []
    for path in cache_dir.glob("*.mp4"):
        if path.name.endswith(PARTIAL_SUFFIX) or path == keep:
            continue
        with contextlib.suppress(FileNotFoundError):  # another request evicted it meanwhile
            stat = path.stat()
            clips.append((stat.st_mtime, stat.st_size, path))
    total = sum(size for _, size, _ in clips)
    with contextlib.suppress(FileNotFoundError):
        total += keep.stat().st_size
    freed = 0
    for _, size, path in sorted(clips):
        if total - freed <= limit_bytes:
            break
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        freed += size
    if freed:
        logger.info("clip cache trimmed", extra={"freed_mb": round(freed / 1e6, 1),
                                                  "limit_mb": round(limit_bytes / 1e6)})
    return freed
