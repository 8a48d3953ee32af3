"""Runs every configured camera: one pipeline and one publisher each."""

from __future__ import annotations

import asyncio
import logging

from edge_agent.config import AgentConfig
from edge_agent.pipeline import CameraPipeline
from edge_agent.publisher import CameraPublisher
from edge_agent.whip_client import WhipClient
from proctor.rtc.ice import pin_host_addresses

logger = logging.getLogger(__name__)


async def run_agent(config: AgentConfig, stop: asyncio.Event) -> None:
    """Publish all cameras until ``stop`` is set."""
    pin_host_addresses(config.ice_host_addresses)
    loop = asyncio.get_running_loop()
    client = WhipClient(config.server_url, config.device_token(), config.verify_tls)
    pipelines = [CameraPipeline(camera, loop) for camera in config.cameras]
    publishers = [
        CameraPublisher(camera, pipeline, client, config)
        for camera, pipeline in zip(config.cameras, pipelines, strict=True)
    ]
    for pipeline in pipelines:
        pipeline.start()
    tasks = [asyncio.create_task(p.run(), name=f"publish-{p.camera.id}") for p in publishers]
    logger.info("edge agent running %d camera(s) for %s", len(tasks), config.server_url)
    try:
        await stop.wait()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for pipeline in pipelines:
            pipeline.stop()
        await client.close()
        logger.info("edge agent stopped")
