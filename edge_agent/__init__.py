"""The site agent: reads exam-room cameras and publishes them to the server over WHIP."""

import logging

from edge_agent.config import AgentConfig, CameraConfig, load_config

__all__ = ["AgentConfig", "CameraConfig", "load_config"]

logging.getLogger(__name__).addHandler(logging.NullHandler())
