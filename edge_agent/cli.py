"""``proctor-edge``: run the site agent, or check its configuration and cameras."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Annotated

import typer

from edge_agent.config import AgentConfig, ConfigError, load_config
from edge_agent.probe import probe
from edge_agent.sources import SourceError
from proctor.logging_setup import configure_logging

app = typer.Typer(help="Exam-site camera agent: publishes cameras to the proctor server.",
                  no_args_is_help=True)
ConfigOpt = Annotated[Path, typer.Option("--config", "-c", help="agent.toml")]


def _load(path: Path) -> AgentConfig:
    try:
        return load_config(path)
    except ConfigError as error:
        typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from error


@app.command()
def run(
    config: ConfigOpt,
    log_level: str = "INFO",
    log_format: Annotated[str, typer.Option(help="console or json")] = "console",
) -> None:
    """Publish every configured camera until stopped (SIGINT/SIGTERM)."""
    from edge_agent.agent import run_agent

    agent_config = _load(config)
    configure_logging(log_level, log_format)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_agent(agent_config, stop)

    asyncio.run(main())


@app.command()
def check(config: ConfigOpt) -> None:
    """Validate the config and open each camera's streams once, saying how each will be sent
    (codec, size, frame rate, GOP)."""
    agent_config = _load(config)
    failed = False
    for camera in agent_config.cameras:
        sub = camera.sub_stream()
        streams = [(f"camera {camera.id}", camera)]
        streams += [(f"camera {camera.id} sub", sub)] if sub is not None else []
        for name, stream in streams:
            try:
                typer.echo(f"{name}: {probe(stream).describe()}")
            except SourceError as error:
                failed = True
                typer.secho(f"{name}: {error}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1 if failed else 0)


def main() -> None:
    """Console-script entry point."""
    app()
