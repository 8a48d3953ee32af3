"""The Prometheus collectors read the running parts at scrape time: sessions per kind,
encoders, viewers, the server's time on forwarded frames, per-camera frames and liveness,
analysis counters, the 95th percentile lag and the detector's state. The running parts are
stand-ins holding what the collectors read."""

from __future__ import annotations

from collections import deque
from types import SimpleNamespace
from typing import Any, cast

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from proctor.media.sessions import SessionKind
from proctor.metrics import AnalysisCollector, MediaCollector
from proctor.vision.sampler import AnalyzerStats


def scrape(collector: Any) -> dict[str, float]:
    """Every sample of one scrape, as ``name{labels}`` -> value."""
    registry = CollectorRegistry()
    registry.register(collector)
    samples: dict[str, float] = {}
    for family in registry.collect():
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    assert generate_latest(registry)  # the exposition format renders
    return samples


def media(sessions: dict[SessionKind, int], encoders: int,
          feeds: dict[int, tuple[int, bool]]) -> Any:
    return SimpleNamespace(
        sessions=SimpleNamespace(count=lambda kind: sessions.get(kind, 0)),
        playback=SimpleNamespace(encoder_count=lambda: encoders,
                                 forwarded_viewer_count=lambda: 5,
                                 transcoded_viewer_count=lambda: encoders,
                                 forward_delay_s=lambda q: 0.002 if q < 0.9 else 0.008),
        feeds={camera: SimpleNamespace(status=lambda f=frames, o=online: SimpleNamespace(
            frames_received=f, online=o), decoder=SimpleNamespace(frames_decoded=frames // 15))
            for camera, (frames, online) in feeds.items()})


def test_media_metrics_count_sessions_encoders_and_each_camera() -> None:
    samples = scrape(MediaCollector(media({SessionKind.WHEP: 3}, 2,
                                          {4: (150, True), 9: (20, False)})))
    assert samples == {
        "proctor_webrtc_sessions{kind=whep}": 3, "proctor_webrtc_sessions{kind=whip}": 0,
        "proctor_playback_encoders": 2,
        "proctor_live_viewers{delivery=forwarded}": 5,
        "proctor_live_viewers{delivery=transcoded}": 2,
        "proctor_live_forward_delay_p50_seconds": 0.002,
        "proctor_live_forward_delay_p95_seconds": 0.008,
        "proctor_camera_frames_received_total{camera=4}": 150,
        "proctor_camera_frames_decoded_total{camera=4}": 10,
        "proctor_camera_frames_decoded_total{camera=9}": 1,
        "proctor_camera_frames_received_total{camera=9}": 20,
        "proctor_camera_online{camera=4}": 1.0, "proctor_camera_online{camera=9}": 0.0}


def test_media_metrics_without_cameras_still_name_every_session_kind() -> None:
    samples = scrape(MediaCollector(media({}, 0, {})))
    assert samples == {"proctor_webrtc_sessions{kind=whep}": 0,
                       "proctor_webrtc_sessions{kind=whip}": 0,
                       "proctor_playback_encoders": 0,
                       "proctor_live_viewers{delivery=forwarded}": 5,
                       "proctor_live_viewers{delivery=transcoded}": 0,
                       "proctor_live_forward_delay_p50_seconds": 0.002,
                       "proctor_live_forward_delay_p95_seconds": 0.008}


def analyzer(lags: list[float], pid: int | None, model: object) -> Any:
    stats = AnalyzerStats(samples=10, analysed=7, dropped=3, lag_s=deque(lags))
    return cast(Any, SimpleNamespace(stats=stats, detector=SimpleNamespace(pid=pid),
                                     model=model))


def test_analysis_metrics_report_counters_and_a_running_detector() -> None:
    samples = scrape(AnalysisCollector(analyzer([0.2] * 5, 4242, object())))
    assert (samples["proctor_analysis_samples_total"], samples["proctor_analysis_analysed_total"],
            samples["proctor_analysis_dropped_total"]) == (10, 7, 3)
    assert (samples["proctor_detector_up"], samples["proctor_detector_pid"]) == (1.0, 4242.0)


def test_a_detector_not_started_is_down_with_pid_zero_and_no_lag() -> None:
    samples = scrape(AnalysisCollector(analyzer([], None, None)))
    assert (samples["proctor_detector_up"], samples["proctor_detector_pid"]) == (0.0, 0.0)
    assert samples["proctor_analysis_lag_p95_seconds"] == 0.0


@pytest.mark.parametrize(("lags", "p95"), [
    ([0.5], 0.5),
    ([float(n) for n in range(100, 0, -1)], 95.0),  # unsorted: the 95th of 100
    ([0.1] * 19 + [9.0], 0.1),  # one outlier in 20 is above the 95th percentile
    ([0.1] * 18 + [9.0, 9.0], 9.0),
])
def test_the_lag_is_the_95th_percentile_of_recent_samples(lags: list[float],
                                                          p95: float) -> None:
    samples = scrape(AnalysisCollector(analyzer(lags, 1, object())))
    assert samples["proctor_analysis_lag_p95_seconds"] == p95
