"""The clip cache keeps within its disk budget, dropping the least recently viewed clips,
and never the clip about to be served or one still being written."""

from __future__ import annotations

import os
import time
from pathlib import Path

from proctor.recording.clip_cache import evict, touch


def clip(cache: Path, name: str, size: int, age_s: float) -> Path:
    path = cache / name
    path.write_bytes(b"\0" * size)
    when = time.time() - 3600 - age_s  # all before the touch below
    os.utime(path, (when, when))
    return path


def test_least_recently_viewed_clips_go_first(tmp_path: Path) -> None:
    old = clip(tmp_path, "camera1-a.mp4", 400, age_s=300)
    viewed = clip(tmp_path, "camera1-b.mp4", 400, age_s=200)
    recent = clip(tmp_path, "camera1-c.mp4", 400, age_s=100)
    writing = clip(tmp_path, "camera1-d.123-4.partial.mp4", 400, age_s=900)
    touch(viewed)  # a repeat viewing: now the most recent
    new = clip(tmp_path, "camera1-e.mp4", 400, age_s=0)

    assert evict(tmp_path, limit_bytes=1000, keep=new) == 800
    assert not old.exists() and not recent.exists()
    assert viewed.exists() and new.exists() and writing.exists()


def test_the_clip_being_served_stays_even_if_larger_than_the_budget(tmp_path: Path) -> None:
    other = clip(tmp_path, "camera2-a.mp4", 100, age_s=50)
    huge = clip(tmp_path, "camera2-b.mp4", 5000, age_s=0)
    assert evict(tmp_path, limit_bytes=1000, keep=huge) == 100
    assert huge.exists() and not other.exists()
    assert evict(tmp_path, limit_bytes=10_000, keep=huge) == 0
