"""Runs every configured camera (pipeline, recorder, publisher) and the agent-wide tasks:
clock offset, segment upload and status report."""

from __future__ import annotations

import asyncio
import logging

import httpx

from edge_agent.clock import ServerClock
from edge_agent.config import AgentConfig, CameraConfig
from edge_agent.observe import start_edge_observer
from edge_agent.pipeline import CameraPipeline
from edge_agent.publisher import CameraPublisher, PublisherState
from edge_agent.recorder import AGENT_VERSION, SegmentRecorder
from edge_agent.recovery import recover_spool
from edge_agent.send_log import send_log_from_env
from edge_agent.spool import Spool
from edge_agent.status import StatusReporter
from edge_agent.uploader import SegmentUploader
from edge_agent.whip_client import WhipClient
from proctor.rtc.ice import pin_host_addresses

logger = logging.getLogger(__name__)

PIPELINE_STOP_TIMEOUT_S = 5.0


async def run_agent(config: AgentConfig, stop: asyncio.Event) -> None:
    """Publish and record all cameras until ``stop`` is set."""
    pin_host_addresses(config.ice_host_addresses)
    loop = asyncio.get_running_loop()
    token = config.device_token()
    client = WhipClient(config.server_url, token, config.verify_tls)
    http = httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"},
                             verify=config.verify_tls, timeout=httpx.Timeout(10.0, connect=3.0))
    recording = config.recording
    spool = Spool(recording.spool_dir, recording.spool_max_bytes)
    recovered = await asyncio.to_thread(recover_spool, spool, AGENT_VERSION)
    clock = ServerClock(http, config.server_url)
    recorders = [SegmentRecorder(camera.id, spool, recording, lambda: clock.offset_ms)
                 for camera in config.cameras]
    streams = [camera_streams(camera, loop, recorder)
               for camera, recorder in zip(config.cameras, recorders, strict=True)]
    publishers = [CameraPublisher(camera, live, client, config)
                  for camera, (_, live) in zip(config.cameras, streams, strict=True)]
    pipelines = [pipeline for running, _ in streams for pipeline in running]
    send_log = send_log_from_env(pipelines)

    def camera_states() -> dict[int, dict[str, bool]]:
        return {p.camera.id: {"recording": r.recording,
                              "publishing": p.state is PublisherState.LIVE}
                for p, r in zip(publishers, recorders, strict=True)}

    uploader = SegmentUploader(spool, http, config.server_url, clock, recording.upload_kbps,
                               config.reconnect.refused_delay_s)
    status = StatusReporter(spool, http, config.server_url, camera_states)
    observer = None if config.detection is None else await start_edge_observer(
        config.detection, [live[0] for _, live in streams], http, config.server_url,
        lambda: clock.offset_ms)  # each camera's first live stream: its sub stream, if any
    for pipeline in pipelines:
        pipeline.start()
    tasks = [asyncio.create_task(p.run(), name=f"publish-{p.camera.id}") for p in publishers]
    if observer is not None:
        tasks.append(asyncio.create_task(observer.run(), name="observe"))
    tasks += [asyncio.create_task(clock.run(), name="clock"),
              asyncio.create_task(uploader.run(), name="upload"),
              asyncio.create_task(status.run(), name="status")]
    for task in tasks:
        task.add_done_callback(_report_crash)
    logger.info("edge agent running %d camera(s) for %s; spool %s (%d segments recovered)",
                len(publishers), config.server_url, spool.root, recovered)
    try:
        await stop.wait()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for pipeline in pipelines:
            pipeline.stop()
        await asyncio.gather(*(_finish(pipeline) for pipeline in pipelines))
        await http.aclose()
        await client.close()
        if send_log is not None:
            send_log.close()
        logger.info("edge agent stopped")


def camera_streams(camera: CameraConfig, loop: asyncio.AbstractEventLoop,
                   recorder: SegmentRecorder | None
                   ) -> tuple[list[CameraPipeline], list[CameraPipeline]]:
    """A camera's pipelines to run and, of those, the ones to publish live (one track each).

    The main stream is always read and recorded. With a sub stream, the sub stream (never
    recorded) is what goes live, or both go live, sub first, when ``live = "both"``.
    """
    main = CameraPipeline(camera, loop, recorder)
    sub_camera = camera.sub_stream()
    if sub_camera is None:
        return [main], [main]
    sub = CameraPipeline(sub_camera, loop, recorder=None, stream="sub")
    return [main, sub], ([sub, main] if camera.live == "both" else [sub])


async def _finish(pipeline: CameraPipeline) -> None:
    """Wait for the camera thread to finish its segment; a stuck one is left to recovery."""
    if not await asyncio.to_thread(pipeline.join, PIPELINE_STOP_TIMEOUT_S):
        logger.warning("camera thread did not stop within %.0f s; its last segment will be "
                       "recovered at the next start", PIPELINE_STOP_TIMEOUT_S,
                       extra={"camera": pipeline.camera.id})


def _report_crash(task: asyncio.Task[None]) -> None:
    """A task that should run forever died: say so loudly instead of going quiet."""
    if not task.cancelled() and task.exception() is not None:
        logger.error("agent task %s stopped: %r", task.get_name(), task.exception(),
                     exc_info=task.exception())
