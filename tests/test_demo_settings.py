"""A new user's ``proctor`` command reaches the running demo exactly as the README and the
demo's own printout say: activate the virtualenv, export ``PROCTOR_CONFIG_FILE``."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.batch_flow import object_store_env
from support.ingest import T0, put_segment
from support.segments import cut_segment
from support.stack import Stack

from proctor.config import REPO_ROOT
from proctor_dev.demo_settings import cli_setup_lines, write_demo_settings
from proctor_dev.seaweed import EmbeddedSeaweedFS

README_SETTINGS = "var/demo/proctor.toml"


@pytest.fixture
def demo_like(tmp_path_factory: pytest.TempPathFactory, seaweed: EmbeddedSeaweedFS,
              h264_footage: Path) -> Iterator[tuple[Stack, Path]]:
    """A server started as the demo starts it (its settings in a file) with one segment."""
    stack = Stack(tmp_path_factory.mktemp("demo"))
    settings = write_demo_settings(stack.data_dir / "proctor.toml", stack.data_dir,
                                   object_store_env(seaweed, "demo-settings"))
    stack.server_env = {"PROCTOR_CONFIG_FILE": str(settings)}
    stack.provision()
    stack.start_server()
    try:
        assert stack.site_a is not None
        response = put_segment(stack, stack.site_a.camera_ids[0], T0,
                               cut_segment(h264_footage, 0, 10))
        assert response.status_code == 201, response.text
        yield stack, settings
    finally:
        stack.close()


def new_user_shell(script: str) -> subprocess.CompletedProcess[str]:
    """``bash -c script`` in the repository as a new user has it: no virtualenv on PATH and
    no PROCTOR_* settings."""
    venv_bin = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep)
                           if p != venv_bin)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PROCTOR_") and k != "VIRTUAL_ENV"} | {"PATH": path}
    return subprocess.run(["bash", "-c", script], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def readme_cli_block() -> list[str]:
    """The README's shell lines that set up the ``proctor`` command for the demo."""
    text = (REPO_ROOT / "README.md").read_text()
    block = next(b for b in re.findall(r"```sh\n(.*?)```", text, re.S)
                 if "PROCTOR_CONFIG_FILE" in b)
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def test_settings_file_is_owner_only_and_names_the_store(tmp_path: Path) -> None:
    path = write_demo_settings(tmp_path / "proctor.toml", tmp_path,
                               {"PROCTOR_S3_ENDPOINT": "127.0.0.1:9", "PROCTOR_S3_SECRET_KEY":
                                'se"cret', "OTHER": "ignored"})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    from proctor.config import load_settings

    os.environ["PROCTOR_CONFIG_FILE"] = str(path)
    try:
        settings = load_settings()
    finally:
        del os.environ["PROCTOR_CONFIG_FILE"]
    assert settings.s3_endpoint == "127.0.0.1:9"
    assert settings.s3_secret_key.get_secret_value() == 'se"cret'
    assert settings.data_dir == tmp_path.resolve()


def test_proctor_is_not_on_a_new_users_path() -> None:
    assert new_user_shell("command -v proctor").returncode != 0


def test_demo_printout_points_the_cli_at_the_demo(demo_like: tuple[Stack, Path]) -> None:
    stack, settings = demo_like
    camera = stack.site_a.camera_ids[0] if stack.site_a else 0
    result = new_user_shell("\n".join([*cli_setup_lines(settings), "proctor archive verify"]))
    assert result.returncode == 0, result.stderr
    assert f"camera {camera}: OK, 1 segments" in result.stdout, result.stdout


def test_readme_quick_start_points_the_cli_at_the_demo(demo_like: tuple[Stack, Path]) -> None:
    _, settings = demo_like
    lines = readme_cli_block()
    assert lines[0] == "source .venv/bin/activate", lines
    assert f"export PROCTOR_CONFIG_FILE={README_SETTINGS}" in lines, lines
    script = "\n".join(lines).replace(README_SETTINGS, str(settings))
    result = new_user_shell(script + "\nproctor admin user list")
    assert result.returncode == 0, result.stderr
    assert "sup_a" in result.stdout, result.stdout  # the demo server's own users
