"""A throwaway PostgreSQL cluster on 127.0.0.1 (Debian's postgresql package) for tests and
benchmarks."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from proctor_dev.processes import free_port


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run scripts/test (installs 'postgresql')")
    return Path(found[-1]).parent


def _as_postgres(*args: str) -> list[str]:
    """PostgreSQL refuses to run as root; run it as the 'postgres' system user then."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)


def _run(*args: str) -> None:
    result = subprocess.run(_as_postgres(*args), capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"{Path(args[0]).name} failed: {result.stderr.strip()}")


class PostgresServer:
    """A running throwaway cluster: its SQLAlchemy ``url``; :meth:`stop` and :meth:`start`
    take it down and bring it back on the same port and data (fault tests)."""

    def __init__(self, bin_dir: Path, data: Path, port: int) -> None:
        self._bin_dir, self._data, self.port = bin_dir, data, port
        self.url = f"postgresql+psycopg://proctor@127.0.0.1:{port}/proctor"
        self.running = False

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self._data}"
        _run(str(self._bin_dir / "pg_ctl"), "-D", str(self._data), "-o", options, "-w",
             "-l", str(self._data / "log"), "start")
        self.running = True

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server (``immediate``: connections cut, no clean shutdown); nothing
        when it is not running."""
        if not self.running:
            return
        self.running = False
        _run(str(self._bin_dir / "pg_ctl"), "-D", str(self._data), "-m", mode, "stop")


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """Start a cluster with trust auth on a free port and database ``proctor``; it is
    stopped and deleted after the block.

    The cluster lives in its own temporary folder (pytest's are private to root, and the
    server runs as the 'postgres' user when the tests run as root).
    """
    bin_dir, port = _bin_dir(), free_port()
    data = Path(tempfile.mkdtemp(prefix="proctor-pg-"))
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(data, user.pw_uid, user.pw_gid)
    _run(str(bin_dir / "initdb"), "-D", str(data), "--auth=trust", "-U", "proctor")
    server = PostgresServer(bin_dir, data, port)
    server.start()
    try:
        _run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "proctor",
             "proctor")
        yield server
    finally:
        server.stop()
        shutil.rmtree(data, ignore_errors=True)


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """:func:`postgres_server` yielding only its SQLAlchemy URL to database ``proctor``."""
    with postgres_server() as server:
        yield server.url
