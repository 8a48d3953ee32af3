"""Starting and stopping the server and agent as child processes (demo, benchmarks, tests)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ManagedProcess:
    """A child process with its own log file, stopped with SIGTERM then SIGKILL."""

    def __init__(self, name: str, args: Sequence[str], env: Mapping[str, str] | None = None,
                 log_path: Path | None = None, cwd: Path | None = None) -> None:
        self.name = name
        self.cwd = cwd
        self.args = list(args)
        self.env = {**os.environ, **(env or {})}
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    @classmethod
    def python_module(cls, name: str, module: str, *args: str,
                      env: Mapping[str, str] | None = None,
                      log_path: Path | None = None) -> ManagedProcess:
        """Run ``python -m module args`` with this interpreter."""
        return cls(name, [sys.executable, "-m", module, *args], env=env, log_path=log_path)

    def start(self) -> ManagedProcess:
        """Start the process (its output goes to ``log_path``, or is inherited)."""
        output = open(self.log_path, "ab") if self.log_path else None  # noqa: SIM115
        self.process = subprocess.Popen(self.args, env=self.env, stdout=output,
                                        stderr=subprocess.STDOUT if output else None,
                                        cwd=self.cwd)
        if output:
            output.close()
        return self

    @property
    def pid(self) -> int:
        """The running process id."""
        assert self.process is not None, f"{self.name} was not started"
        return self.process.pid

    def running(self) -> bool:
        """Whether the process is alive."""
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout_s: float = 10.0) -> None:
        """SIGTERM, and SIGKILL if it has not exited after ``timeout_s`` (idempotent)."""
        if not self.running():
            return
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        """SIGKILL at once (simulates a crash or power cut)."""
        if self.running():
            assert self.process is not None
            self.process.kill()
            self.process.wait()


def wait_http_ready(url: str, process: ManagedProcess, timeout_s: float = 180.0) -> None:
    """Wait until ``url`` answers any HTTP status; fail early if the process died. The
    limit is generous: a server took 33 s to start at load 12 on 2 cores (it polls, so a
    quick start costs nothing)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not process.running():
            log = f" (see {process.log_path})" if process.log_path else ""
            code = process.process.returncode if process.process else None
            raise RuntimeError(f"{process.name} exited with {code}{log}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise TimeoutError(f"{process.name} did not answer {url} within {timeout_s:.0f} s")


def server_process(data_dir: Path, port: int, *, host: str = "127.0.0.1",
                   ice_host_addresses: str = "127.0.0.1", log_path: Path | None = None,
                   extra_env: Mapping[str, str] | None = None) -> ManagedProcess:
    """The proctor server on ``host:port`` with its state in ``data_dir``."""
    env = {"PROCTOR_DATA_DIR": str(data_dir), "PROCTOR_HOST": host, "PROCTOR_PORT": str(port),
           "PROCTOR_ICE_HOST_ADDRESSES": ice_host_addresses, **(extra_env or {})}
    return ManagedProcess.python_module("proctor server", "proctor", "serve", env=env,
                                        log_path=log_path)


def agent_process(config_path: Path, log_path: Path | None = None,
                  env: Mapping[str, str] | None = None) -> ManagedProcess:
    """A ``proctor-edge run`` process (``env`` added to this process's environment)."""
    return ManagedProcess.python_module("proctor-edge", "edge_agent", "run", "--config",
                                        str(config_path), env=env, log_path=log_path)
