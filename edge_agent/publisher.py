"""Keeps one camera published over WHIP, reconnecting by itself whenever the link breaks.

The server going away is noticed by the absence of RTCP receiver reports (every WebRTC
receiver sends them about once a second), which takes a few seconds instead of the 30 s
ICE consent timeout. Retries back off from ``initial_delay_s`` to ``max_delay_s``, so
video resumes within a couple of seconds of the server's return.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from datetime import datetime

from aiortc import RTCPeerConnection, RTCRtpSender, RTCSessionDescription

from edge_agent.config import AgentConfig, CameraConfig
from edge_agent.pipeline import CameraPipeline
from edge_agent.whip_client import WhipClient, WhipError
from proctor.rtc.h264 import prefer_h264
from proctor.rtc.ice import build_rtc_configuration
from proctor.rtc.tracks import PacketTrack

logger = logging.getLogger(__name__)

STABLE_SESSION_S = 10.0
WATCH_INTERVAL_S = 0.5


class PublisherState(str, enum.Enum):
    """Where the publisher is in its cycle."""

    CONNECTING = "connecting"
    LIVE = "live"
    RETRYING = "retrying"


class SessionLost(Exception):
    """The live session stopped working; the message says how we noticed."""


class CameraPublisher:
    """Publishes one camera's live pipelines (main, sub, or sub and main as two tracks of one
    WHIP session), forever, until cancelled."""

    def __init__(self, camera: CameraConfig, pipelines: list[CameraPipeline],
                 client: WhipClient, config: AgentConfig) -> None:
        self.camera = camera
        self.pipelines = pipelines  # one video track each, in this order
        self.state = PublisherState.CONNECTING
        self.sessions_started = 0
        self._client = client
        self._config = config
        self._retry = config.reconnect

    async def run(self) -> None:
        """Publish, and on any failure wait and publish again."""
        delay = self._retry.initial_delay_s
        while True:
            self.state = PublisherState.CONNECTING
            started = time.monotonic()
            try:
                await self._publish_once()
                reason = "session ended"
            except WhipError as error:
                reason = str(error)
                if not error.retryable:
                    delay = self._retry.refused_delay_s
            except SessionLost as error:
                reason = str(error)
            except Exception as error:  # noqa: BLE001  (an unusable answer, a proxy's page…)
                # whatever went wrong, live view of this camera must come back by itself
                logger.exception("camera %s: unexpected publishing failure", self.camera.id,
                                 extra={"camera": self.camera.id})
                reason = f"{type(error).__name__}: {error}"
            if time.monotonic() - started > STABLE_SESSION_S:
                delay = self._retry.initial_delay_s
            self.state = PublisherState.RETRYING
            logger.warning("camera %s not published: %s; retrying in %.1f s",
                           self.camera.id, reason, delay, extra={"camera": self.camera.id})
            await asyncio.sleep(delay)
            if delay < self._retry.max_delay_s:
                delay = min(delay * 2, self._retry.max_delay_s)

    async def _publish_once(self) -> None:
        # each track's id names its stream, so the server can tell sub from main
        tracks = [PacketTrack(track_id=pipeline.stream) for pipeline in self.pipelines]
        pc = RTCPeerConnection(
            build_rtc_configuration(self._config.ice_servers, self._config.ice_transport_policy)
        )
        try:
            transceivers = [pc.addTransceiver(track, direction="sendonly") for track in tracks]
            for transceiver in transceivers:
                prefer_h264(transceiver)
            await pc.setLocalDescription(await pc.createOffer())
            session = await self._client.publish(self.camera.id, pc.localDescription.sdp)
            try:
                await pc.setRemoteDescription(
                    RTCSessionDescription(sdp=session.answer_sdp, type="answer")
                )
                for pipeline, track in zip(self.pipelines, tracks, strict=True):
                    pipeline.attach(track)
                await self._wait_connected(pc)
                self.state = PublisherState.LIVE
                self.sessions_started += 1
                logger.info("camera %s live", self.camera.id, extra={"camera": self.camera.id})
                await self._watch(pc, [t.sender for t in transceivers])
            finally:
                for pipeline in self.pipelines:
                    pipeline.attach(None)
                await self._client.end(session)
        finally:
            for track in tracks:
                track.stop()
            await pc.close()

    def _packets_sent(self) -> int:
        return sum(pipeline.packets_sent for pipeline in self.pipelines)

    async def _wait_connected(self, pc: RTCPeerConnection) -> None:
        connected = asyncio.Event()

        @pc.on("connectionstatechange")
        def _changed() -> None:
            if pc.connectionState in ("connected", "failed", "closed"):
                connected.set()

        try:
            await asyncio.wait_for(connected.wait(), self._retry.connect_timeout_s)
        except TimeoutError as error:
            raise SessionLost(f"ICE/DTLS did not connect within "
                              f"{self._retry.connect_timeout_s:.0f} s") from error
        if pc.connectionState != "connected":
            raise SessionLost(f"connection {pc.connectionState} while connecting")

    async def _watch(self, pc: RTCPeerConnection, senders: list[RTCRtpSender]) -> None:
        """Return only by raising :class:`SessionLost` when the session stops working.

        Silence is measured from the later of the last receiver report and the moment we
        (re)started sending: while the camera delivers nothing, no RTP goes out and the
        server owes us no report, so a dead camera does not churn the WHIP session.
        """
        last_sent = self._packets_sent()
        quiet_since = time.monotonic()
        while True:
            await asyncio.sleep(WATCH_INTERVAL_S)
            if pc.connectionState != "connected":
                raise SessionLost(f"connection {pc.connectionState}")
            sent, now = self._packets_sent(), time.monotonic()
            if sent == last_sent:
                quiet_since = now
                continue
            last_sent = sent
            age = await _receiver_report_age(senders)
            silent_for = min(now - quiet_since, age if age is not None else float("inf"))
            if silent_for > self._retry.rtcp_timeout_s:
                raise SessionLost(f"no receiver report from the server for {silent_for:.1f} s")


async def _receiver_report_age(senders: list[RTCRtpSender]) -> float | None:
    """Seconds since the last RTCP receiver report for any of these senders, if one arrived."""
    reports = [await sender.getStats() for sender in senders]
    # aiortc's RTCStatsReport is an untyped dict of RTCStats dataclasses (timestamp: datetime)
    stamps: list[datetime] = [s.timestamp for report in reports for s in report.values()
                              if s.type == "remote-inbound-rtp"]
    if not stamps:
        return None
    return time.time() - max(stamps).timestamp()
