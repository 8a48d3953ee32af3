"""How ``proctor eval scenarios --live`` scores what the server opened: clip time 0 is the
agent's send of the clip's first frame after its lead, events that begin after the clip
ended are not the clip's, and a camera's not_analysed / stream_lost in the lead are set
apart."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np

from proctor.vision.kinds import EventKind
from proctor_dev.evaluation import scenarios as sc
from proctor_dev.evaluation.live import metric_value, score_run

T0 = 1_800_000_000.0  # wall time (s) of camera 4's first frame


def _event(number: int, kind: str, started_s: float) -> dict[str, Any]:
    started = datetime.fromtimestamp(T0 + started_s, UTC).isoformat()
    return {"id": number, "camera_id": 4, "kind": kind, "zone": "", "started_at": started}


def test_events_are_scored_on_the_clips_own_timeline() -> None:
    clip = sc.Scenario("covered", "lens covered", 70, lambda i: np.zeros((8, 8, 3), np.uint8),
                       truths=[sc.Truth(EventKind.COVERED, "", 20, 45)])
    seen = {1: (_event(1, "not_analysed", -9), T0 - 8),  # the camera starting, in the lead
            2: (_event(2, "covered", 21), T0 + 24),
            3: (_event(3, "frozen", 50), T0 + 61),       # a false alarm inside the clip
            4: (_event(4, "stream_lost", 71), T0 + 76)}  # the clip ended
    metrics = ('proctor_camera_frames_received_total{camera="4"} 350.0\n'
               'proctor_camera_frames_decoded_total{camera="4"} 70.0\n')
    run = score_run([clip], [4], seen, metrics, {4: T0})
    (result,) = run.results
    assert [e.kind for e in result.events] == [EventKind.COVERED, EventKind.FROZEN]
    found = result.matched[clip.truths[0]]
    assert (round(found.started_at), round(found.opened_at)) == (21, 24)
    assert [e.kind for e in result.false_alarms] == [EventKind.FROZEN]
    assert run.startup_events == 1
    assert (run.frames_received, run.frames_decoded) == ({"covered": 350}, {"covered": 70})
    assert metric_value(metrics, "proctor_camera_frames_decoded_total", 5) == 0.0
