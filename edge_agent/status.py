"""The spool alarm and the device status report (``POST /api/devices/me/status``).

When the spool reaches its cap the agent logs an ERROR for every camera holding footage, every
:data:`ALARM_LOG_INTERVAL_S`, and tells the server at once; nothing is deleted and recording
goes on (see :mod:`edge_agent.spool` for why), so the disk itself may fill up if nobody acts.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime

import httpx

from edge_agent.spool import Spool, SpoolUsage

logger = logging.getLogger(__name__)

CHECK_INTERVAL_S = 5.0
REPORT_INTERVAL_S = 30.0
ALARM_LOG_INTERVAL_S = 30.0

CameraStates = Callable[[], dict[int, dict[str, bool]]]


def _when(epoch_ms: int | None) -> str:
    if epoch_ms is None:
        return "-"
    return datetime.fromtimestamp(epoch_ms / 1000).isoformat(timespec="seconds")


def spool_alarm(usage: SpoolUsage) -> str | None:
    """The alarm text when the spool has reached its cap, else None."""
    if not usage.over_cap:
        return None
    return (f"spool full: {usage.used_bytes} bytes used of {usage.max_bytes} cap, "
            f"{usage.pending_segments} segments unsent since {_when(usage.oldest_pending_ms)}; "
            "recording continues and nothing is deleted: restore the upload or add disk")


class StatusReporter:
    """Watches the spool; reports to the server every 30 s and whenever the alarm changes."""

    def __init__(self, spool: Spool, http: httpx.AsyncClient, server_url: str,
                 cameras: CameraStates, check_interval_s: float = CHECK_INTERVAL_S,
                 report_interval_s: float = REPORT_INTERVAL_S,
                 alarm_log_interval_s: float = ALARM_LOG_INTERVAL_S) -> None:
        self.alarm: str | None = None
        self.reports_sent = 0
        self._spool = spool
        self._http = http
        self._url = server_url.rstrip("/") + "/api/devices/me/status"
        self._cameras = cameras
        self._check_s, self._report_s = check_interval_s, report_interval_s
        self._alarm_log_s = alarm_log_interval_s

    async def run(self) -> None:
        """Check the spool every few seconds until cancelled."""
        last_report = last_alarm_log = -float("inf")
        while True:
            usage = await asyncio.to_thread(self._spool.usage)
            alarm = spool_alarm(usage)
            changed, self.alarm = alarm != self.alarm, alarm
            now = time.monotonic()
            if alarm and (changed or now - last_alarm_log >= self._alarm_log_s):
                self._log_alarm(usage)
                last_alarm_log = now
            elif changed:
                logger.warning("spool back under its cap: %d of %d bytes", usage.used_bytes,
                               usage.max_bytes)
            if changed or now - last_report >= self._report_s:
                await self.report(usage)
                last_report = now
            await asyncio.sleep(self._check_s)

    def _log_alarm(self, usage: SpoolUsage) -> None:
        for camera_id, held in sorted(usage.camera_bytes.items()):
            oldest = usage.camera_oldest_ms.get(camera_id)
            logger.error("SPOOL FULL: camera %d holds %d bytes, oldest unsent segment %s (%s); "
                         "spool uses %d bytes of its %d cap; recording continues, nothing is "
                         "deleted, the disk may fill: restore the upload link or add disk",
                         camera_id, held, oldest, _when(oldest), usage.used_bytes,
                         usage.max_bytes, extra={"camera": camera_id})

    async def report(self, usage: SpoolUsage) -> None:
        """Send the status; a failure is logged at WARNING and otherwise ignored."""
        body = {
            "spool_bytes": usage.used_bytes,
            "spool_max_bytes": usage.max_bytes,
            "pending_segments": usage.pending_segments,
            "oldest_pending_start_ms": usage.oldest_pending_ms,
            "alarm": self.alarm,
            "cameras": {str(k): v for k, v in self._cameras().items()},
        }
        try:
            response = await self._http.post(self._url, json=body, timeout=5.0)
        except httpx.HTTPError as error:
            logger.warning("status report not sent: %s: %s", type(error).__name__, error)
            return
        if response.status_code >= 300:
            logger.warning("status report refused: %d %s", response.status_code,
                           response.text[:200])
            return
        self.reports_sent += 1
