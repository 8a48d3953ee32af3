"""State on disk is owner-only whatever the umask: folders 0700, files 0600.

Run under umask 000, where the defaults would give 0777 folders and 0666 files: the server's
data folder and SQLite database (password and token hashes, the audit log), its secret files,
and the agent's spool (footage and sidecars) are still private to their owner.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from edge_agent.config import load_config
from edge_agent.segment_file import SegmentFile
from edge_agent.spool import REJECTED_DIR, SegmentMeta, Spool
from proctor.app import create_app
from proctor.config import load_settings
from proctor.db.session import prepare_sqlite_file
from proctor.private_file import create_private_file, write_private_file
from proctor_dev.provision import write_agent_config


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_server_state_is_owner_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "state"
    settings = load_settings(data_dir=data_dir, ice_host_addresses=["127.0.0.1"],
                             analysis_enabled=False)
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/auth/me").status_code == 401  # the database was used
        database = data_dir / "proctor.db"
        assert mode(data_dir) == 0o700
        assert mode(database) == 0o600
        for companion in (data_dir / "proctor.db-wal", data_dir / "proctor.db-shm"):
            if companion.exists():
                assert mode(companion) == 0o600, companion.name


def test_an_old_world_readable_database_is_tightened(tmp_path: Path) -> None:
    database = tmp_path / "old" / "proctor.db"
    database.parent.mkdir(mode=0o755)
    database.write_bytes(b"")
    database.chmod(0o644)
    prepare_sqlite_file(f"sqlite:///{database}")
    assert mode(database) == 0o600
    assert mode(database.parent) == 0o755  # an existing folder may be shared: left alone


def test_secret_files_are_owner_only(tmp_path: Path) -> None:
    assert create_private_file(tmp_path / "keys" / "signing.pem", b"key")
    write_private_file(tmp_path / "keys" / "other.pem", b"other")
    write_private_file(tmp_path / "keys" / "other.pem", b"replaced")
    assert mode(tmp_path / "keys") == 0o700
    assert mode(tmp_path / "keys" / "signing.pem") == 0o600
    assert mode(tmp_path / "keys" / "other.pem") == 0o600
    assert (tmp_path / "keys" / "other.pem").read_bytes() == b"replaced"


def test_agent_spool_is_owner_only(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool", max_bytes=10**9)
    part, start_ms = spool.new_part(7, 1_000)
    SegmentFile(part, start_ms, 0, None).close()
    meta = SegmentMeta(camera_id=7, start_ms=start_ms, end_ms=start_ms + 10, sha256="0" * 64,
                       size=part.stat().st_size, clock_offset_ms=None, agent_version="test",
                       packets=0)
    segment = spool.commit(part, meta)
    assert mode(tmp_path / "spool") == 0o700
    assert mode(segment.parent) == 0o700
    assert mode(segment) == 0o600
    assert mode(segment.with_suffix(".json")) == 0o600
    rejected = spool.reject(meta, 422, "test")
    assert mode(tmp_path / "spool" / REJECTED_DIR / "7") == 0o700
    assert mode(rejected) == 0o600


def test_agent_warns_about_a_token_others_can_read(tmp_path: Path,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    config = tmp_path / "agent.toml"
    write_agent_config(config, "http://127.0.0.1:1", "secret-token", {1: "testsrc:"},
                       ["127.0.0.1"])
    with caplog.at_level(logging.WARNING, logger="edge_agent.config"):
        load_config(config)
        assert "device token" not in caplog.text
        config.chmod(0o644)
        load_config(config)
    assert "chmod 600" in caplog.text
