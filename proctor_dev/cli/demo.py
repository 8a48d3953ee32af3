"""``proctor demo``: the product on this machine with embedded defaults."""

from __future__ import annotations

from typing import Annotated

import typer


def demo(
    port: Annotated[int, typer.Option(help="console port")] = 8000,
    fresh: Annotated[bool, typer.Option(help="start from an empty state folder")] = False,
    ice_host: Annotated[list[str] | None, typer.Option(
        help="host ICE address to offer (repeat); default 127.0.0.1, this machine only")] = None,
) -> None:
    """Run the product locally: server on embedded defaults plus an agent with two cameras."""
    from proctor.config import REPO_ROOT
    from proctor.logging_setup import configure_logging
    from proctor_dev.demo import run_demo

    configure_logging()
    run_demo(REPO_ROOT / "var" / "demo", REPO_ROOT / "var" / "media", port, fresh,
             ice_host or ["127.0.0.1"])
