"""The running demo's settings, shared by its server and by the ``proctor`` command.

``scripts/demo`` writes ``var/demo/proctor.toml`` (the state folder, the embedded object
store's endpoint and keys) and starts its server with ``PROCTOR_CONFIG_FILE`` pointing at it.
A user who exports the same variable runs every ``proctor`` command (``archive verify``,
``admin user list``, ``supervision report …``) against the demo's database and store.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Mapping
from pathlib import Path

from proctor.private_file import write_private_file

ENV_PREFIX = "PROCTOR_"


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_demo_settings(path: Path, data_dir: Path, env: Mapping[str, str]) -> Path:
    """Write ``env`` (``PROCTOR_*`` variables) and ``data_dir`` as a settings file for
    ``PROCTOR_CONFIG_FILE``; owner-only, as it holds the object store's keys."""
    settings = {"data_dir": str(data_dir.resolve())}
    settings |= {name.removeprefix(ENV_PREFIX).lower(): value for name, value in env.items()
                 if name.startswith(ENV_PREFIX)}
    lines = ["# The running demo's settings (scripts/demo rewrites this file at every start).",
             "# export PROCTOR_CONFIG_FILE=<this file> to point `proctor` at the demo.", ""]
    lines += [f"{key} = {_toml_string(value)}" for key, value in sorted(settings.items())]
    write_private_file(path, ("\n".join(lines) + "\n").encode())
    return path


def cli_setup_lines(settings_file: Path) -> list[str]:
    """Shell lines that put ``proctor`` (this virtualenv's) on PATH and point it at the demo."""
    activate = Path(sys.executable).parent / "activate"
    return [f"source {shlex.quote(str(activate))}",
            f"export PROCTOR_CONFIG_FILE={shlex.quote(str(settings_file.resolve()))}"]
