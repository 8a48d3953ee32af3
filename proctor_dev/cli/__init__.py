"""The development commands ``proctor demo``, ``proctor bench ...``, ``proctor eval ...`` and
``proctor dev-screenshots``."""

from __future__ import annotations

import typer

from proctor_dev.cli import bench, demo
from proctor_dev.cli import eval as eval_cli


def register(app: typer.Typer) -> None:
    """Add the development commands to the ``proctor`` command line."""
    app.command("demo")(demo.demo)
    app.add_typer(bench.app, name="bench")
    app.add_typer(eval_cli.app, name="eval")
    app.command("dev-screenshots")(screenshots)


def screenshots() -> None:
    """Small PNGs of every console page (both languages, desktop and phone) into
    docs/console/, from a throwaway server playing the sample footage."""
    from proctor_dev.screenshots import main

    main()
