"""Prometheus metrics, collected from the live media service and the analyzer at scrape time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from proctor.media.service import MediaService
from proctor.media.sessions import SessionKind

if TYPE_CHECKING:
    from proctor.vision.analyzer import Analyzer


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
        viewers = GaugeMetricFamily(
            "proctor_live_viewers", "WHEP viewers by delivery", labels=["delivery"]
        )
        viewers.add_metric(["forwarded"], self.media.playback.forwarded_viewer_count())
        viewers.add_metric(["transcoded"], self.media.playback.transcoded_viewer_count())
        yield viewers
        for name, quantile in (("p50", 0.5), ("p95", 0.95)):
            yield GaugeMetricFamily(
                f"proctor_live_forward_delay_{name}_seconds",
                f"Forwarded frames' time on the server (publisher's jitter buffer to a "
                f"viewer's sender), {name} of recent frames",
                value=self.media.playback.forward_delay_s(quantile))
        decoded = CounterMetricFamily(
            "proctor_camera_frames_decoded", "Frames the server decoded", labels=["camera"]
        )
        frames = CounterMetricFamily(
            "proctor_camera_frames_received", "Frames received", labels=["camera"]
        )
        online = GaugeMetricFamily("proctor_camera_online", "Camera is live", labels=["camera"])
        for camera_id, feed in self.media.feeds.items():
            status = feed.status()
            frames.add_metric([str(camera_id)], status.frames_received)
            decoded.add_metric([str(camera_id)], feed.decoder.frames_decoded)
            online.add_metric([str(camera_id)], 1.0 if status.online else 0.0)
        yield frames
        yield decoded
        yield online


class AnalysisCollector(Collector):
    """Samples taken, analysed and dropped, analysis lag, and whether the detector runs."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        stats = self.analyzer.stats
        for name, value, text in (
                ("proctor_analysis_samples", stats.samples, "Camera samples taken"),
                ("proctor_analysis_analysed", stats.analysed, "Samples the detector analysed"),
                ("proctor_analysis_dropped", stats.dropped,
                 "Samples replaced before analysis (the detector fell behind)")):
            yield CounterMetricFamily(name, text, value=value)
        lags = sorted(stats.lag_s)
        yield GaugeMetricFamily("proctor_analysis_lag_p95_seconds",
                                "Sample-to-result time, 95th percentile of recent samples",
                                value=lags[int(0.95 * (len(lags) - 1))] if lags else 0.0)
        pid = self.analyzer.detector.pid
        yield GaugeMetricFamily("proctor_detector_up", "Detector process is running and ready",
                                value=1.0 if self.analyzer.model is not None else 0.0)
        yield GaugeMetricFamily("proctor_detector_pid", "Process id of the detector (0: none)",
                                value=float(pid or 0))
