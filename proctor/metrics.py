"""Prometheus metrics, collected from the live media service at scrape time."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from proctor.media.service import MediaService
from proctor.media.sessions import SessionKind


class MediaCollector(Collector):
    """Sessions, encoders and per-camera frame counters."""

    def __init__(self, media: MediaService) -> None:
        self.media = media

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        sessions = GaugeMetricFamily(
            "proctor_webrtc_sessions", "Live WebRTC sessions", labels=["kind"]
        )
        for kind in SessionKind:
            sessions.add_metric([kind.value], self.media.sessions.count(kind))
        yield sessions
        yield GaugeMetricFamily(
            "proctor_playback_encoders",
            "Cameras encoded for live viewers",
            value=self.media.playback.encoder_count(),
        )
        frames = CounterMetricFamily(
            "proctor_camera_frames_received", "Decoded frames received", labels=["camera"]
        )
        online = GaugeMetricFamily("proctor_camera_online", "Camera is live", labels=["camera"])
        for camera_id, feed in self.media.feeds.items():
            status = feed.status()
            frames.add_metric([str(camera_id)], status.frames_received)
            online.add_metric([str(camera_id)], 1.0 if status.online else 0.0)
        yield frames
        yield online
