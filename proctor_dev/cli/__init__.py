"""The development commands ``proctor demo``, ``proctor bench ...`` and ``proctor eval ...``."""

from __future__ import annotations

import typer

from proctor_dev.cli import bench, demo
from proctor_dev.cli import eval as eval_cli


def register(app: typer.Typer) -> None:
    """Add the development commands to the ``proctor`` command line."""
    app.command("demo")(demo.demo)
    app.add_typer(bench.app, name="bench")
    app.add_typer(eval_cli.app, name="eval")
