"""``proctor analysis-worker``: detect on samples from the nodes' NATS queue group."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from typing import Annotated

import typer

NatsUrlOpt = Annotated[str, typer.Option(
    "--nats-url", envvar="PROCTOR_NATS_URL",
    help="NATS server(s) the nodes use, comma-separated (PROCTOR_NATS_URL)")]
NameOpt = Annotated[str, typer.Option(
    help="this worker's name in replies and logs; default host-pid")]
BatchOpt = Annotated[int, typer.Option(
    min=1, max=64, help="most waiting samples detected as one batch")]


def analysis_worker(nats_url: NatsUrlOpt = "", name: NameOpt = "",
                    max_batch: BatchOpt = 8) -> None:
    """Run the configured detector (PROCTOR_ANALYSIS_DETECTOR) on the samples nodes with
    PROCTOR_ANALYSIS_WORKERS=remote send; run as many as detection needs (docs/deployment.md)."""
    from proctor.app import check_analysis
    from proctor.config import load_settings
    from proctor.errors import ProctorError
    from proctor.logging_setup import configure_logging

    if not nats_url:
        typer.secho("error: the worker needs --nats-url or PROCTOR_NATS_URL (the nodes' NATS)",
                    fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    # a worker is no node: it needs neither the database nor a node id
    settings = load_settings(nats_url="", analysis_workers="local")
    configure_logging(settings.log_level, settings.log_format)
    try:
        check_analysis(settings)
        asyncio.run(_serve(nats_url, name or f"{socket.gethostname()}-{os.getpid()}",
                           settings.analysis_detector, settings.analysis_timeout_s, max_batch))
    except ProctorError as error:
        typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from error


async def _serve(nats_url: str, name: str, detector_config: dict[str, object],
                 timeout_s: float, max_batch: int) -> None:
    """Serve until SIGTERM or SIGINT, then leave the queue group and disconnect."""
    from proctor.cluster.analysis_worker import AnalysisWorker
    from proctor.cluster.connection import connect_nats
    from proctor.vision.worker import DetectorProcess

    detector = DetectorProcess(dict(detector_config), timeout_s,
                               start_timeout_s=max(120.0, timeout_s))
    connection = await connect_nats(nats_url, f"worker-{name}")
    serving = asyncio.create_task(AnalysisWorker(name, detector, max_batch).serve(connection))
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, serving.cancel)
    try:
        await serving
    except asyncio.CancelledError:
        pass
    finally:
        await connection.close()
