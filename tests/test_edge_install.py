"""The edge agent stands alone: it runs with the server and detection stacks unavailable."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from support.stack import Stack
from support.wait import wait_until

from proctor.config import REPO_ROOT
from proctor_dev.processes import ManagedProcess
from proctor_dev.provision import write_agent_config

SERVER_ONLY = ["fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "pydantic_settings",
               "minio", "prometheus_client", "torch", "ultralytics", "cv2"]

# Make every server-only package unimportable, then run ``python -m edge_agent``.
BLOCKED_RUN = f"""
import importlib.abc, runpy, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {SERVER_ONLY!r}:
            raise ImportError(f'{{name}} is not installed on edge devices')
sys.meta_path.insert(0, Block())
runpy.run_module('edge_agent', run_name='__main__')
"""


def test_base_dependencies_exclude_the_server_stack() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    base = " ".join(project["dependencies"]).lower()
    for package in ["fastapi", "sqlalchemy", "ultralytics", "torch", "minio", "uvicorn"]:
        assert package not in base
    assert "ultralytics" in " ".join(project["optional-dependencies"]["vision"])


async def test_agent_publishes_without_server_packages(stack: Stack, h264_footage: Path,
                                                       raw_footage: Path) -> None:
    cam_h264, cam_raw = stack.site_a.camera_ids
    config = stack.data_dir / "standalone.toml"
    write_agent_config(config, stack.url, stack.site_a.device_token,
                       {cam_h264: h264_footage.as_uri(), cam_raw: raw_footage.as_uri()},
                       ["127.0.0.1"])
    log = stack.data_dir / "standalone.log"
    command = [sys.executable, "-c", BLOCKED_RUN, "run", "--config", str(config)]
    agent = ManagedProcess("edge", command,
                           log_path=log).start()
    stack.agents.append(agent)
    admin = stack.login("admin")
    assert await wait_until(lambda: stack.camera_status(admin, cam_h264)["online"]
                            and stack.camera_status(admin, cam_raw)["online"], 15), log.read_text()
    assert "not installed on edge devices" not in log.read_text()
