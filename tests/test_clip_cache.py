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


def test_a_budget_of_zero_keeps_only_the_clip_being_served(tmp_path: Path) -> None:
    others = [clip(tmp_path, f"camera3-{i}.mp4", 10, age_s=i) for i in range(5)]
    served = clip(tmp_path, "camera3-served.mp4", 10, age_s=0)
    assert evict(tmp_path, limit_bytes=0, keep=served) == 50
    assert served.exists() and not any(path.exists() for path in others)


def test_other_files_and_a_vanished_clip_are_left_alone(tmp_path: Path) -> None:
    note = tmp_path / "README.txt"
    note.write_text("not a clip")
    old = clip(tmp_path, "camera4-a.mp4", 600, age_s=10)
    gone = tmp_path / "camera4-gone.mp4"  # evicted by another request meanwhile
    assert evict(tmp_path, limit_bytes=100, keep=gone) == 600
    assert note.exists() and not old.exists()


def test_touching_a_missing_clip_is_harmless(tmp_path: Path) -> None:
    touch(tmp_path / "never-cached.mp4")
    assert not (tmp_path / "never-cached.mp4").exists()


def test_an_empty_or_missing_cache_frees_nothing(tmp_path: Path) -> None:
    assert evict(tmp_path, limit_bytes=0, keep=tmp_path / "x.mp4") == 0
    assert evict(tmp_path / "missing", limit_bytes=0, keep=tmp_path / "x.mp4") == 0
