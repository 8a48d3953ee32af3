"""A real edge agent run under a fault (another network namespace, a wrong clock, a small
disk), and the ledger that proves what it recorded reached the server: every segment the
agent's log says it recorded or recovered is stored or still in its spool, and the chain
verifies."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from proctor_dev.processes import ManagedProcess
from proctor_dev.provision import write_agent_config
from support.ingest import segments
from support.stack import PASSWORD, Stack

SEGMENT_S = 2.0
HTTP_TIMEOUT_S = 60.0  # a login took over 5 s (httpx's default) at load 33 on 2 cores
_RECORDED = re.compile(r"segment (\d+) recorded \(")
_RECOVERED = re.compile(r"recovered segment \S*/(\d+)\.ts:")


def start_edge(stack: Stack, sources: Mapping[int, str], *, name: str = "agent",
               server_url: str | None = None, ice_host_addresses: Sequence[str] = ("127.0.0.1",),
               recording: Mapping[str, object] | None = None, prefix: Sequence[str] = (),
               env: Mapping[str, str] | None = None) -> ManagedProcess:
    """A real ``proctor-edge run`` for device A, its command behind ``prefix`` (e.g. ``ip
    netns exec``) and with ``env`` added; logs to ``<data_dir>/<name>.log``. Segments of
    :data:`SEGMENT_S` into ``<data_dir>/spool`` unless ``recording`` says otherwise."""
    assert stack.site_a is not None
    config = stack.data_dir / f"{name}.toml"
    settings = {"segment_seconds": SEGMENT_S, **(recording or {})}
    write_agent_config(config, server_url or stack.url, stack.site_a.device_token, sources,
                       list(ice_host_addresses), settings)
    command = [*prefix, sys.executable, "-m", "edge_agent", "run", "--config", str(config)]
    agent = ManagedProcess("proctor-edge", command, env=env,
                           log_path=stack.data_dir / f"{name}.log").start()
    stack.agents.append(agent)
    return agent


def login(stack: Stack, username: str) -> str:
    """A console session token (patient: the machine may be loaded)."""
    response = httpx.post(f"{stack.url}/api/auth/login", timeout=HTTP_TIMEOUT_S,
                          json={"username": username, "password": PASSWORD})
    response.raise_for_status()
    return str(response.json()["token"])


def online(stack: Stack, token: str, camera: int) -> bool:
    """Whether the server gets the camera's live video now."""
    cameras = httpx.get(f"{stack.url}/api/cameras", timeout=HTTP_TIMEOUT_S,
                        headers={"Authorization": f"Bearer {token}"}).json()
    return bool(next(c for c in cameras if c["id"] == camera)["live"]["online"])


def agent_log(stack: Stack, name: str = "agent") -> str:
    """What the agent logged so far."""
    path = stack.data_dir / f"{name}.log"
    return path.read_text(errors="replace") if path.exists() else ""


def recorded(stack: Stack, name: str = "agent") -> list[int]:
    """Start (agent clock, ms) of every segment the agent says it finished or recovered."""
    log = agent_log(stack, name)
    return sorted(int(m) for pattern in (_RECORDED, _RECOVERED) for m in pattern.findall(log))


def spooled(spool: Path) -> list[int]:
    """Starts of the finished segments still waiting in a spool."""
    return sorted(int(p.stem) for p in spool.rglob("*.ts") if p.stem.isdigit()
                  and "rejected" not in p.parts)


@dataclass(frozen=True)
class Ledger:
    """Segments by where they are now."""

    recorded: int
    stored: int
    spooled: int  # still in the spool and not stored
    lost: list[int]  # recorded, neither stored nor spooled

    def __str__(self) -> str:
        return (f"segments recorded {self.recorded}, stored {self.stored}, "
                f"still spooled {self.spooled}, lost {len(self.lost)}")


def ledger(stack: Stack, camera: int, spool: Path, name: str = "agent") -> Ledger:
    """Compare the agent's log with the server's index and the spool."""
    made = set(recorded(stack, name))
    stored = {s.agent_start_ms for s in segments(stack, camera)}
    waiting = set(spooled(spool))
    # a segment stored while the agent stopped, before it could delete it, is both: counted
    # as stored (the next start re-sends it and the server answers 200)
    return Ledger(len(made), len(stored), len(waiting - stored), sorted(made - stored - waiting))


def proctor_cli(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    """``proctor ARGS`` on the stack's database and store (not checked)."""
    env = {**os.environ, **stack.server_env, "PROCTOR_DATA_DIR": str(stack.data_dir),
           "PROCTOR_DATABASE_URL": stack.database_url}
    return subprocess.run([sys.executable, "-m", "proctor", *args], env=env, text=True,
                          capture_output=True, timeout=300, check=False)


def chain_intact(stack: Stack, camera: int) -> str:
    """``proctor archive verify`` for one camera: its output, asserted to end intact."""
    run = proctor_cli(stack, "archive", "verify", "--camera", str(camera))
    assert run.returncode == 0 and "chain intact" in run.stdout, run.stdout + run.stderr
    return run.stdout.strip()
