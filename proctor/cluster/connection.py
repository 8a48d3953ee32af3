"""The node's NATS connection (``nats-py`` is the optional ``cluster`` extra)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from proctor.errors import ProctorError

if TYPE_CHECKING:
    from nats.aio.client import Client

logger = logging.getLogger(__name__)


async def connect_nats(servers: str, node_id: str) -> Client:
    """Connect to ``servers`` (comma-separated URLs); it reconnects by itself afterwards.
    Raises :class:`ProctorError` saying what to do when the package or the servers are
    missing: a node that cannot coordinate must not start."""
    try:
        import nats
    except ImportError as error:
        raise ProctorError("PROCTOR_NATS_URL needs the NATS client: pip install "
                           "'proctor[cluster]'") from error

    async def _disconnected() -> None:
        logger.warning("NATS connection lost; reconnecting")

    async def _reconnected() -> None:
        logger.info("NATS connection back")

    async def _error(error: Exception) -> None:
        logger.warning("NATS: %s", error)

    urls = [url.strip() for url in servers.split(",") if url.strip()]
    try:
        return await nats.connect(
            servers=urls, name=f"proctor-{node_id}", connect_timeout=5,
            reconnect_time_wait=1, max_reconnect_attempts=-1,
            disconnected_cb=_disconnected, reconnected_cb=_reconnected, error_cb=_error)
    except (OSError, nats.errors.Error) as error:
        raise ProctorError(f"cannot reach NATS at {servers} ({type(error).__name__}: "
                           f"{error}): start it or correct PROCTOR_NATS_URL") from error
