"""``proctor bench ...``: benchmarks that print figures, the last line one JSON object."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from proctor.vision.options import Backend, ImgszOpt, ModelOpt, ThreadsOpt

# the smallest frame the live bench's time stamp fits in (edge_agent.testsrc: 48 bits of
# 16-pixel blocks, 4 block rows); kept here so that --help does not import PyAV
STAMP_MIN_WIDTH, STAMP_MIN_HEIGHT = 768, 64

app = typer.Typer(help="Benchmarks (loopback only).", no_args_is_help=True)


def _print_figures(result: Any, width: int, last_line_json: bool = False) -> None:
    """Each field of the ``result`` dataclass on stderr, name padded to ``width``; then,
    if asked, the whole result as one JSON line on stdout."""
    for key, value in asdict(result).items():
        typer.echo(f"  {key:<{width}} {value}", err=True)
    if last_line_json:
        typer.echo(json.dumps(asdict(result)))


@app.command()
def live(
    cameras: Annotated[int, typer.Option(min=1, help="synthetic cameras")] = 1,
    viewers: Annotated[int, typer.Option(min=1, help="WHEP viewers per camera")] = 1,
    seconds: Annotated[float, typer.Option(min=1, help="measurement window")] = 20,
    width: Annotated[int, typer.Option(
        min=STAMP_MIN_WIDTH, max=3840, help="frame width (the stamp needs 768 pixels)")] = 1280,
    height: Annotated[int, typer.Option(min=STAMP_MIN_HEIGHT, max=2160)] = 720,
    fps: float = 15,
    transcode: Annotated[bool, typer.Option(
        help="switch forwarding off: every viewer gets the server's re-encode")] = False,
    compare: Annotated[bool, typer.Option(
        help="run forwarded, then transcoded; print both under those keys")] = False,
    clip: Annotated[bool, typer.Option(
        help="publish a pre-encoded clip passed through by the agent (no live encoder: "
        "16 × 720p15 fit on 2 cores); latency from frame indexes and the agent's send log"
    )] = False,
    full: Annotated[bool, typer.Option(
        help="the server also records (real SeaweedFS) and analyses every camera: its whole "
        "per-camera work, for capacity")] = False,
) -> None:
    """Edge → WHIP → server → WHEP viewers: frame rates, glass-to-glass latency, CPU."""
    from proctor.logging_setup import configure_logging
    from proctor_dev.bench.live import result_line, run_live_bench

    configure_logging("WARNING")
    results: dict[str, object] = {}
    for mode in (("forwarded", "transcoded") if compare else
                 ("transcoded",) if transcode else ("forwarded",)):
        result = asyncio.run(run_live_bench(cameras, viewers, seconds, width, height, fps,
                                            log=lambda m: typer.echo(m, err=True),
                                            transcode=mode == "transcoded", clip=clip,
                                            full=full))
        typer.echo(mode, err=True)
        for key, value in result_line(result).items():
            typer.echo(f"  {key:<26} {value}", err=True)
        results[mode] = result_line(result)
    typer.echo(json.dumps(results if compare else next(iter(results.values()))))


@app.command()
def archive(
    cameras: Annotated[int, typer.Option(min=1, help="cameras recording the sample footage")] = 1,
    seconds: Annotated[float, typer.Option(min=10, help="recording time")] = 120,
    outage: Annotated[float, typer.Option(min=0, help="server outage within it, seconds")] = 0,
    segment_seconds: Annotated[float, typer.Option(min=1, help="segment length")] = 10,
) -> None:
    """Record through an optional server outage: segments recorded, stored, lost; rates."""
    from proctor.logging_setup import configure_logging
    from proctor_dev.bench.archive import run_archive_bench

    configure_logging("WARNING")
    result = asyncio.run(run_archive_bench(cameras, seconds, outage, segment_seconds,
                                           log=lambda m: typer.echo(m, err=True)))
    _print_figures(result, 30, last_line_json=True)


@app.command()
def detect(
    backend: Backend = None,
    model: ModelOpt = None,
    imgsz: ImgszOpt = None,
    threads: ThreadsOpt = None,
    frames: Annotated[int, typer.Option(min=1, help="frames to time")] = 30,
    batch: Annotated[int, typer.Option(min=1, help="frames per detector call (the analyzer "
                                       "sends one per camera sampled at once)")] = 1,
) -> None:
    """Detector latency on the labelled real images: ms per frame (p50), frames per second."""
    from proctor.config import REPO_ROOT
    from proctor.vision.options import load_detector
    from proctor_dev.bench.detect import load_frames, run_detect_bench

    detector = load_detector(backend, model, imgsz, None, threads)
    result = run_detect_bench(detector, load_frames(REPO_ROOT / "tests" / "data" / "counts"),
                              frames, batch=batch)
    for key, value in result.items():
        typer.echo(f"  {key:<18} {value}", err=True)
    typer.echo(json.dumps(result))


@app.command()
def analyze(
    cameras: Annotated[int, typer.Option(min=1, help="cameras playing the footage")] = 4,
    seconds: Annotated[float, typer.Option(min=1, help="measurement window")] = 60,
    fps: Annotated[float | None, typer.Option(
        help="analysis samples per second and camera; default the server setting "
        "(PROCTOR_ANALYSIS_FPS, 1)")] = None,
    backend: Backend = None,
    imgsz: ImgszOpt = None,
    footage: Annotated[Path | None, typer.Option(
        help="video every camera plays, looped; default the sample footage in var/media")] = None,
    keyframes_only: Annotated[bool, typer.Option(
        "--keyframes-only", help="decode only the footage's keyframes, as a keyframe-only "
        "subscription for analysis does (1 sample/s needs a keyframe interval <= 1 s)")] = False,
    encoded: Annotated[bool, typer.Option(
        "--encoded", help="hand the feeds H.264 access units, as a tapped WHIP track does: "
        "the feed decodes what the server decodes (keyframes only)")] = False,
) -> None:
    """Live analysis of N cameras playing real footage: samples dropped, lag, CPU, keeps up?"""
    from pydantic import ValidationError

    from proctor.errors import ProctorError
    from proctor.logging_setup import configure_logging
    from proctor_dev.bench.analyze import run_analyze_bench

    configure_logging("WARNING")
    try:
        result = asyncio.run(run_analyze_bench(cameras, seconds, fps, backend, imgsz, footage,
                                               keyframes_only=keyframes_only, encoded=encoded,
                                               log=lambda m: typer.echo(m, err=True)))
    except (ProctorError, ValidationError) as error:
        typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from error
    for key, value in result.items():
        typer.echo(f"  {key:<22} {value}", err=True)
    typer.echo(json.dumps(result))


@app.command()
def supervision(
    out: Annotated[Path, typer.Option("--out", help="where to write the signed report (PDF)")],
    cameras: Annotated[int, typer.Option(min=1, max=32, help="cameras of the room")] = 8,
    hours: Annotated[int, typer.Option(min=1, max=24, help="length of the session")] = 4,
    findings: Annotated[int, typer.Option(min=0, max=500, help="findings, each on every "
                                          "camera")] = 20,
) -> None:
    """A batch of N cameras × H hours with F findings: compose, render and sign its report
    (targets on 2 cores: ≤ 10 s), and time the results gate (≤ 100 ms)."""
    from proctor.errors import ProctorError
    from proctor.logging_setup import configure_logging
    from proctor_dev.bench.supervision import run_supervision_bench

    configure_logging("WARNING")
    try:
        result = run_supervision_bench(out, cameras, hours, findings)
    except ProctorError as error:
        typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from error
    _print_figures(result, 20)
    typer.echo(f"wrote {out}; check it with: proctor supervision verify-report {out}", err=True)
    typer.echo(json.dumps(asdict(result)))


@app.command()
def oversight(
    batches: Annotated[int, typer.Option(min=10, max=200_000, help="batches of the province")]
    = 5000,
    requests: Annotated[int, typer.Option(min=5, max=999, help="requests timed per view")]
    = 50,
    segment_seconds: Annotated[int, typer.Option(
        min=1, max=3600, help="length of the seeded segments (the product records ~10 s; "
        "longer ones seed faster: the views read the per-batch aggregate, not segments)")] = 60,
) -> None:
    """A province on PostgreSQL (10 cities, 100 districts, 300 organisations, N batches,
    their segments, alerts and complaints): p50/p95 of the region summary at each level
    through the real API (target p95 ≤ 300 ms), and of complaint intake."""
    from proctor.logging_setup import configure_logging
    from proctor_dev.bench.oversight import run_oversight_bench

    configure_logging("WARNING")
    result = run_oversight_bench(batches, requests, segment_seconds,
                                 log=lambda m: typer.echo(m, err=True))
    for key, value in result.items():
        typer.echo(f"  {key:<24} {value}", err=True)
    typer.echo(json.dumps(result, ensure_ascii=False))


@app.command()
def console(
    cameras: Annotated[int, typer.Option(min=1, help="synthetic cameras, four per room")] = 16,
    width: Annotated[int, typer.Option(min=STAMP_MIN_WIDTH, help="the smallest")] = 768,
    height: int = 432,
    fps: float = 10,
    timeout: Annotated[float, typer.Option(min=10, help="seconds for every camera to play")] = 180,
) -> None:
    """The live wall in Chromium: first paint, tiles drawn, every camera playing, bytes."""
    from proctor.logging_setup import configure_logging
    from proctor_dev.bench.console import result_line, run_console_bench

    configure_logging("WARNING")
    result = run_console_bench(cameras, width, height, fps, timeout,
                               log=lambda m: typer.echo(m, err=True))
    for key, value in result_line(result).items():
        typer.echo(f"  {key:<26} {value}", err=True)
    typer.echo(json.dumps(result_line(result)))


@app.command()
def failover(
    cameras: Annotated[int, typer.Option(min=1, help="cameras one agent publishes")] = 2,
    seconds: Annotated[float, typer.Option(min=20, help="recording time, the kill midway")] = 60,
    lease_s: Annotated[float, typer.Option(min=1, help="PROCTOR_CAMERA_LEASE_S")] = 5,
    segment_seconds: Annotated[float, typer.Option(min=1, help="segment length")] = 4,
) -> None:
    """Two nodes, one agent: SIGKILL the node publishing the cameras mid-run; recovery_s,
    segments_lost, cameras_owned_twice."""
    from proctor.logging_setup import configure_logging
    from proctor_dev.bench.failover import run_failover_bench

    configure_logging("WARNING")
    result = asyncio.run(run_failover_bench(cameras, seconds, lease_s, segment_seconds,
                                            log=lambda m: typer.echo(m, err=True)))
    _print_figures(result, 22, last_line_json=True)


@app.command()
def fleet(
    cameras: Annotated[int, typer.Option(min=1, help="simulated cameras (stub agents)")] = 200,
    minutes: Annotated[float, typer.Option(min=0.5, help="wall time the exam day (08:20 to "
                                            "16:10) is compressed into; per-camera rates "
                                            "stay real")] = 2,
    readers: Annotated[int, typer.Option(min=1, help="site-scoped supervisors reading")] = 10,
    lease_s: Annotated[float, typer.Option(min=1, help="PROCTOR_CAMERA_LEASE_S")] = 5,
    segment_seconds: Annotated[float, typer.Option(min=1, help="segment length")] = 10,
    observe_seconds: Annotated[float, typer.Option(
        min=0.2, max=9, help="edge observation period per camera (the agent's is 1 s; "
                             "under 10 s, or the server samples the camera itself)")] = 5,
    stub_processes: Annotated[int | None, typer.Option(
        min=1, help="processes the stub agents run in (default: one per core)")] = None,
    kill_node_at: Annotated[str, typer.Option(
        help="HH:MM of the day the busier node is SIGKILLed (08:30: inside the morning's "
             "opening wave)")] = "08:30",
    logs: Annotated[Path | None, typer.Option(help="copy the nodes' logs here")] = None,
) -> None:
    """A province exam day, time-compressed, on 2 nodes: WHIP storms, segment PUTs, edge
    observations raising alerts, readers, a node SIGKILLed in the morning wave; api_p95_ms,
    put_p95_ms, jetstream_lag_p95_ms, alerts_lag_p95_ms, reconnect_recovery_s."""
    from proctor.logging_setup import configure_logging
    from proctor_dev.bench.fleet import day_minute, run_fleet_bench

    try:
        kill_at = day_minute(kill_node_at)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--kill-node-at") from None
    configure_logging("WARNING")
    result = asyncio.run(run_fleet_bench(cameras, minutes, readers, lease_s, segment_seconds,
                                         observe_seconds, stub_processes, kill_at, logs,
                                         log=lambda m: typer.echo(m, err=True)))
    _print_figures(result, 30, last_line_json=True)


@app.command()
def scaling(
    cameras: Annotated[int, typer.Option(min=1, help="stamped cameras per node (each has "
                                         "its own agent)")] = 2,
    viewers: Annotated[int, typer.Option(min=1, help="WHEP viewers per camera")] = 1,
    readers: Annotated[int, typer.Option(min=1, help="archive clip readers per node")] = 2,
    seconds: Annotated[float, typer.Option(min=5, help="each phase's measurement window")] = 20,
    width: Annotated[int, typer.Option(min=STAMP_MIN_WIDTH, help="the smallest")] = 768,
    height: int = 432,
    fps: float = 15,
    segment_seconds: Annotated[float, typer.Option(min=1, help="segment length")] = 4,
) -> None:
    """Live and archive on 1 node, then on 2 (each node pinned to its own core, the same load
    per node): frames delivered, latency, CPU per camera, segments lost, clips read per
    second, and the 2 ÷ 1 ratios."""
    from proctor.logging_setup import configure_logging
    from proctor_dev.bench.scaling import run_scaling_bench

    configure_logging("WARNING")
    result = asyncio.run(run_scaling_bench(cameras, viewers, seconds, readers, width, height,
                                           fps, segment_seconds,
                                           log=lambda m: typer.echo(m, err=True)))
    for label, run in (("1 node", result.one), ("2 nodes", result.two)):
        typer.echo(label, err=True)
        for key, value in asdict(run).items():
            typer.echo(f"  {key:<24} {value}", err=True)
    for key in ("throughput_ratio", "capacity_ratio", "latency_p95_ratio",
                "archive_throughput_ratio", "archive_capacity_ratio", "archive_p95_ratio"):
        typer.echo(f"{key:<26} {getattr(result, key)}", err=True)
    typer.echo(json.dumps(asdict(result)))


@app.command()
def workers(
    count: Annotated[int, typer.Option("--workers", min=1, help="analysis workers")] = 2,
    samples: Annotated[int, typer.Option(min=1, help="samples to detect each way")] = 120,
    in_flight: Annotated[int, typer.Option(min=1, help="samples sent at once (cameras "
                                           "sampled in one tick)")] = 8,
    threads: Annotated[int | None, typer.Option(min=1, help="threads per detector; "
                                                "default all cores")] = None,
) -> None:
    """Analysis throughput: one local detector process versus N `proctor analysis-worker`
    processes on a NATS queue group (samples/s, remote latency p50/p95)."""
    from proctor.logging_setup import configure_logging
    from proctor_dev.bench.workers import run_workers_bench

    configure_logging("WARNING")
    result = asyncio.run(run_workers_bench(count, samples, in_flight, threads,
                                           log=lambda m: typer.echo(m, err=True)))
    _print_figures(result, 22, last_line_json=True)
