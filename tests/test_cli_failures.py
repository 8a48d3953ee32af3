"""The ``proctor`` command without its database or object store: one line, exit 2, no
traceback, for every kind of failure and every group of commands (run as a user runs it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from proctor_dev.processes import free_port
from proctor_dev.seaweed import EmbeddedSeaweedFS

pytestmark = pytest.mark.slow  # every case starts the CLI in a process


def run_cli(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m proctor ARGS`` with only the given settings (no inherited PROCTOR_*)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PROCTOR_")}
    return subprocess.run([sys.executable, "-m", "proctor", *args], capture_output=True,
                          text=True, timeout=120,
                          env={**clean, "PROCTOR_DATA_DIR": str(data_dir), **env})


def assert_one_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    """Exit 2 and a single ``error:`` line on stderr that names each of ``words``."""
    assert "Traceback" not in result.stderr and "╭" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    for word in words:
        assert word in lines[0], lines[0]
    assert result.returncode == 2, result


UNREACHABLE_S3 = {"PROCTOR_S3_ACCESS_KEY": "key", "PROCTOR_S3_SECRET_KEY": "secret"}


@pytest.mark.parametrize("args", [
    ["archive", "verify"],
    ["archive", "export", "--camera", "1", "--from", "0", "--to", "1000", "--out", "x.zip",
     "--reason", "complaint 1"],
    ["archive", "reconcile-holds"],
    ["storage", "init"],
])
def test_no_object_store_configured(tmp_path: Path, args: list[str]) -> None:
    assert_one_line(run_cli(tmp_path, *args), "PROCTOR_S3_ENDPOINT")


@pytest.mark.parametrize("args", [["storage", "init"], ["storage", "check"]])
def test_object_store_unreachable(tmp_path: Path, args: list[str]) -> None:
    port = free_port()  # nothing listens there
    result = run_cli(tmp_path, *args, PROCTOR_S3_ENDPOINT=f"127.0.0.1:{port}", **UNREACHABLE_S3)
    assert_one_line(result, f"127.0.0.1:{port}", "cannot be reached", "PROCTOR_CONFIG_FILE")


def test_object_store_refuses_the_keys(tmp_path: Path, seaweed: EmbeddedSeaweedFS) -> None:
    result = run_cli(tmp_path, "storage", "check", PROCTOR_S3_ENDPOINT=seaweed.endpoint,
                     PROCTOR_S3_ACCESS_KEY=seaweed.access_key,
                     PROCTOR_S3_SECRET_KEY="not-" + seaweed.secret_key)
    assert_one_line(result, "refused", "PROCTOR_S3_SECRET_KEY")


@pytest.mark.parametrize("args", [
    ["admin", "user", "list"],
    ["archive", "coverage", "--camera", "1", "--from", "0", "--to", "1000"],
    ["supervision", "report", "show", "1", "--as", "admin"],
    ["db", "upgrade"],
])
def test_database_unreachable(tmp_path: Path, args: list[str]) -> None:
    url = f"postgresql+psycopg://proctor:pw@127.0.0.1:{free_port()}/proctor"
    result = run_cli(tmp_path, *args, PROCTOR_DATABASE_URL=url)
    assert_one_line(result, "database cannot be used", "Connection refused",
                    "PROCTOR_DATABASE_URL")
    assert ":pw@" not in result.stderr  # the password never reaches the screen


def test_database_folder_cannot_be_made(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_cli(tmp_path, "admin", "site", "list",
                     PROCTOR_DATABASE_URL=f"sqlite:///{blocker / 'sub' / 'proctor.db'}")
    assert_one_line(result, str(blocker))


def test_invalid_setting(tmp_path: Path) -> None:
    assert_one_line(run_cli(tmp_path, "admin", "site", "list", PROCTOR_PORT="eighty"),
                    "invalid settings", "port")


def test_a_programming_error_still_shows_its_traceback() -> None:
    from proctor.cli.failures import failure_line

    assert failure_line(KeyError("x")) is None
    assert failure_line(IntegrityError("INSERT", {}, Exception("UNIQUE failed"))) is None
