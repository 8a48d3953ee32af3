"""One camera's analysis state: from a sample (picture + detections) to rule readings and
event transitions. Synchronous and clock-free (times are passed in), so the live analyzer
and ``proctor eval scenarios`` run exactly the same logic.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from proctor.vision.counting import CountFusion, Counts, CountWindow
from proctor.vision.detector import Detection
from proctor.vision.kinds import EventKind
from proctor.vision.rule_spec import JsonObject, Reading, SampleView
from proctor.vision.rules import AnalysisRules, RuleTracker, Transition
from proctor.vision.scene import Occupancy, SceneSettings, people_in, zone_counts, zones_of
from proctor.vision.tamper import (
    FrameStats,
    TamperKind,
    TamperThresholds,
    frame_stats,
    scene_shift,
    tamper_signals,
)

BASELINE_SAMPLES = 10  # sharpness baseline: median of the first good samples, without a reference


@dataclass(frozen=True)
class Sample:
    """What the analyzer saw of a camera at one moment.

    ``luma`` is None when no new frame arrived since the previous sample, or when the
    picture was seen elsewhere (an edge agent sends its ``stats`` only); ``stats`` None: no
    picture. ``detections`` is None when the picture was not analysed (no picture, or the
    detector is down).
    """

    at: float  # epoch seconds
    luma: np.ndarray | None
    detections: list[Detection] | None
    stats: FrameStats | None = None  # of ``luma``; computed here unless given

    def __post_init__(self) -> None:
        if self.luma is not None and self.stats is None:
            object.__setattr__(self, "stats", frame_stats(self.luma))


@dataclass(frozen=True)
class CameraState:
    """What the console shows next to the video: the count and whether analysis runs."""

    analysed: bool
    people: int | None  # over the latest samples (:mod:`proctor.vision.counting`)
    expected: int | None
    phone_detection: bool
    picture: str  # "ok", "no picture", or the tamper signals present, comma separated
    at: float


class CameraMonitor:
    """Every rule of :class:`EventKind` on one camera, each smoothed by its own tracker per
    zone; people are counted over the latest samples (``counting``), and tamper signals are
    checked against the camera's reference and baseline."""

    def __init__(self, camera_id: int, scene: SceneSettings, rules: AnalysisRules,
                 phone_detection: bool, reference: np.ndarray | None = None,
                 tamper_limits: TamperThresholds = TamperThresholds(),
                 counting: CountFusion = CountFusion()) -> None:
        self.camera_id = camera_id
        self._counts = CountWindow(counting)
        self.scene = scene
        self.rules = rules
        self.phone_detection = phone_detection
        self.tamper_limits = tamper_limits
        self._trackers: dict[tuple[EventKind, str], RuleTracker] = {}
        self._previous: FrameStats | None = None
        self._reference: FrameStats | None = None
        self._baseline_sharpness: float | None = None
        self._sharpness_samples: list[float] = []
        self.captured_reference: np.ndarray | None = None
        self.state: CameraState | None = None
        self._people: list[Detection] | None = None  # of the latest sample; None: not analysed
        # set while this camera judges a room's headcount with other cameras: the most
        # people the others counted around a moment (None: none counted then)
        self.room_peers: Callable[[float], int | None] | None = None
        self.set_reference(reference)

    def set_reference(self, luma: np.ndarray | None) -> None:
        """Use ``luma`` as the reference for the moved and defocused checks (None: learn one)."""
        self._reference = frame_stats(luma) if luma is not None else None
        self._baseline_sharpness = self._reference.sharpness if self._reference else None
        self._sharpness_samples.clear()

    def occupancy(self) -> Occupancy | None:
        """The latest sample's people against the scene's zones, as the detector saw them
        in that one sample, to check where zones lie (None: not analysed)."""
        if self.state is None or self._people is None:
            return None
        return Occupancy(self.state.at, len(self._people), self.scene.expected_headcount,
                         zone_counts(self.scene, self._people))

    def open_events(self) -> dict[tuple[EventKind, str], RuleTracker]:
        """The trackers with an open event, by (kind, zone)."""
        return {key: tracker for key, tracker in self._trackers.items() if tracker.is_open}

    def restore(self, kind: EventKind, zone: str, started_at: float, peak: JsonObject,
                severity: float) -> None:
        """Continue an event that was open when the server stopped."""
        self._tracker(kind, zone).restore(started_at, peak, severity)

    def observe(self, sample: Sample) -> list[Transition]:
        """Take one sample; returns the events it opens, worsens or closes."""
        readings = self._readings(sample)
        transitions = []
        for key in set(self._trackers) | set(readings):
            transition = self._tracker(*key).step(sample.at, readings.get(key, Reading(False)))
            if transition is not None:
                transitions.append(transition)
        return transitions

    def _tracker(self, kind: EventKind, zone: str) -> RuleTracker:
        key = (kind, zone)
        if key not in self._trackers:
            self._trackers[key] = RuleTracker(kind, zone, self.rules.timing(kind))
        return self._trackers[key]

    def _readings(self, sample: Sample) -> dict[tuple[EventKind, str], Reading]:
        view = self._view(sample)
        self._people = view.people if view.detections is not None else None
        if not view.picture:
            picture = "no picture"
        else:
            picture = ", ".join(sorted(kind.value for kind in view.tamper)) or "ok"
        self._record_state(sample, analysed=view.detections is not None,
                           people=view.people_count if view.detections is not None else None,
                           picture=picture)
        return {(kind, zone): reading for kind in EventKind
                for zone, reading in kind.spec.evaluate(view).items()}

    def _view(self, sample: Sample) -> SampleView:
        """What the rules see of ``sample`` (tamper signals are checked here, once)."""
        if sample.stats is None:
            return SampleView(False, {}, None, self.scene, self.phone_detection)
        tamper = self._tamper(sample.luma, sample.stats)
        view = SampleView(True, {kind: self._tamper_values(kind, sample.stats) for kind in tamper},
                          sample.detections, self.scene, self.phone_detection)
        if not view.room_visible:
            return view
        people = view.people
        counts = self._counts.add(sample.at, Counts(len(people), {
            zone.name: len(people_in(zone, people)) for zone in zones_of(self.scene)}))
        return replace(view, counts=counts, room_people=self._room_people(sample.at, counts))

    def _room_people(self, at: float, own: Counts) -> int | None:
        """The most people this camera or its room peers count at the moment ``at``."""
        if self.room_peers is None:
            return None
        peers = self.room_peers(at)
        return own.people if peers is None else max(own.people, peers)

    def _record_state(self, sample: Sample, analysed: bool, people: int | None,
                      picture: str) -> None:
        self.state = CameraState(analysed=analysed, people=people,
                                 expected=self.scene.expected_headcount,
                                 phone_detection=self.phone_detection, picture=picture,
                                 at=sample.at)

    def _tamper(self, luma: np.ndarray | None, stats: FrameStats) -> set[TamperKind]:
        found = tamper_signals(stats, self._previous, self._reference, self._baseline_sharpness,
                               self.tamper_limits)
        self._previous = stats
        if TamperKind.COVERED not in found:
            self._learn(luma, stats)
        return found

    def _learn(self, luma: np.ndarray | None, stats: FrameStats) -> None:
        """Without an operator's reference, the first good picture becomes the reference and
        the median sharpness of the first samples the baseline (the picture is stored as the
        camera's reference when it was seen here, not only its statistics)."""
        if self._reference is None:
            self._reference = stats
            self.captured_reference = luma
        if self._baseline_sharpness is None:
            self._sharpness_samples.append(stats.sharpness)
            if len(self._sharpness_samples) >= BASELINE_SAMPLES:
                self._baseline_sharpness = statistics.median(self._sharpness_samples)

    def _tamper_values(self, kind: TamperKind, stats: FrameStats) -> JsonObject:
        limits = self.tamper_limits
        if kind is TamperKind.COVERED:
            return {"brightness": round(stats.brightness, 1), "contrast": round(stats.contrast, 1),
                    "dark_below": limits.dark_brightness,
                    "uniform_below": limits.uniform_contrast}
        if kind is TamperKind.DEFOCUSED:
            return {"sharpness": round(stats.sharpness, 1),
                    "baseline": round(self._baseline_sharpness or 0.0, 1),
                    "ratio_below": limits.defocus_ratio}
        if kind is TamperKind.MOVED and self._reference is not None:
            dx, dy, similarity = scene_shift(self._reference.thumbnail, stats.thumbnail)
            return {"shift_x": round(dx, 3), "shift_y": round(dy, 3),
                    "similarity": round(similarity, 3), "shift_above": limits.moved_shift,
                    "similarity_below": limits.moved_similarity}
        return {"difference_below": limits.frozen_difference}
