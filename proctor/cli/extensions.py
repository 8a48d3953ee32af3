"""Commands that other installed distributions add to ``proctor`` (entry point group
``proctor.commands``), and clear stand-ins for the development commands when they are absent.

The development distribution ``proctor-dev`` (``proctor_dev/`` in the repository) adds
``demo``, ``bench`` and ``eval``; a production install has none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points

import typer

ENTRY_POINT_GROUP = "proctor.commands"
DEV_COMMANDS = ("demo", "bench", "eval")
DEV_INSTALL = ("pip install -e ./proctor_dev from a source checkout "
               "(scripts/bootstrap.sh does this for scripts/test and scripts/demo)")


def register_extensions(app: typer.Typer) -> None:
    """Let every installed ``proctor.commands`` entry point add its commands to ``app``;
    without the development package, ``demo``, ``bench`` and ``eval`` say how to get them."""
    found = entry_points(group=ENTRY_POINT_GROUP)
    for entry_point in found:
        entry_point.load()(app)
    if not found:
        for name in DEV_COMMANDS:
            app.command(name, help=f"Development command, not installed: {DEV_INSTALL}.",
                        context_settings={"allow_extra_args": True,
                                          "ignore_unknown_options": True,
                                          "help_option_names": []})(_not_installed(name))


def _not_installed(name: str) -> Callable[[], None]:
    def command() -> None:
        typer.secho(f"error: `proctor {name}` is a development command and is not installed "
                    f"here; to get it: {DEV_INSTALL}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)

    return command
