"""Secret files are created once, owner-only, and never replaced: a second or concurrent
creator keeps the first file, and no temporary file is left behind."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from proctor.private_file import create_private_file


def test_the_file_is_created_owner_only_with_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "secret"
    assert create_private_file(path, b"first")
    assert path.read_bytes() == b"first"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["secret"]


def test_an_existing_file_is_kept_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_bytes(b"in use")
    assert not create_private_file(path, b"replacement")
    assert path.read_bytes() == b"in use"
    assert [p.name for p in tmp_path.iterdir()] == ["secret"]


def test_concurrent_creators_share_one_file(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    contents = [f"key {n}".encode() for n in range(16)]
    with ThreadPoolExecutor(8) as pool:
        created = list(pool.map(lambda data: create_private_file(path, data), contents))
    assert created.count(True) == 1
    assert path.read_bytes() == contents[created.index(True)]
    assert [p.name for p in tmp_path.iterdir()] == ["secret"]
