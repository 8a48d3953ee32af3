"""Scenario clips with ground truth known by construction, run through the real analysis
(detector + :class:`CameraMonitor`), scored per event kind (``proctor eval scenarios``).

Two kinds of base material, both real footage (``vtest.avi``, a street camera):

- **tamper scenarios** use the moving footage sampled at the analysis rate; a stretch of it
  is blacked out, blurred, shifted, frozen, cut (no frames) or not analysed (the detector
  withheld, as when it crashes);
- **people scenarios** need a room whose headcount is known, so they hold one frame of the
  footage still, with fresh sensor noise on every sample, like a fixed camera over seated
  people. The expected headcount is what the detector counts on the clean frame (the
  frame's hand label is checked in the tests); seat zones are drawn around each person and
  one person is the invigilator. People are then removed (inpainted away) or a copy of a
  person is pasted into another's seat.

Every clip runs twice from the same detections: each sample's count alone (single-frame) and
the count over the latest samples (:mod:`proctor.vision.counting`, the default), so the two
are compared on identical input.

A truth ``(kind, zone, start, end)`` is found when an event of that kind and zone opens
between ``start`` and ``end`` (plus the rule's clear time); onset delay is the time from
``start`` to the event opening, which includes the rule's deliberate smoothing (e.g. a
seat must be empty 30 s before ``seat_empty`` opens).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from proctor.vision.counting import CountFusion
from proctor.vision.detector import Detection, Detector
from proctor.vision.kinds import EventKind
from proctor.vision.monitor import CameraMonitor, Sample
from proctor.vision.rules import AnalysisRules, Transition
from proctor.vision.scene import SceneSettings, Zone, seat_point

FrameSource = Callable[[int], np.ndarray | None]


@dataclass(frozen=True)
class Truth:
    """An event that must be found: kind and zone, from ``start`` to ``end`` (seconds)."""

    kind: EventKind
    zone: str
    start: float
    end: float


@dataclass
class Scenario:
    """A clip: ``frame(i)`` is sample ``i`` (None: no frame), at one sample per second."""

    name: str
    description: str
    samples: int
    frame: FrameSource
    scene: SceneSettings = field(default_factory=SceneSettings)
    truths: list[Truth] = field(default_factory=list)
    detector_down: range = range(0)


@dataclass(frozen=True)
class OpenedEvent:
    """An event the analysis opened: when its condition began and when it was confirmed."""

    kind: EventKind
    zone: str
    started_at: float
    opened_at: float


@dataclass
class ScenarioResult:
    """What the analysis reported on one scenario."""

    scenario: Scenario
    events: list[OpenedEvent]
    matched: dict[Truth, OpenedEvent]
    false_alarms: list[OpenedEvent]


# -- footage --------------------------------------------------------------------------------


def read_footage(path: Path, every_s: float = 1.0, limit: int = 400) -> list[np.ndarray]:
    """Frames of a video, one per ``every_s`` seconds of its timeline (BGR)."""
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise FileNotFoundError(f"cannot read footage {path}: fetch the sample media with "
                                "scripts/test (or give --footage)")
    rate = capture.get(cv2.CAP_PROP_FPS) or 10.0
    stride = max(1, round(rate * every_s))
    frames: list[np.ndarray] = []
    index = 0
    while len(frames) < limit:
        ok, frame = capture.read()
        if not ok:
            break
        if index % stride == 0:
            frames.append(frame)
        index += 1
    capture.release()
    if len(frames) < 10:
        raise ValueError(f"{path} gave only {len(frames)} frames; scenarios need a longer clip")
    return frames


def read_frame(path: Path, number: int) -> np.ndarray:
    """Frame ``number`` of a video (BGR)."""
    capture = cv2.VideoCapture(str(path))
    capture.set(cv2.CAP_PROP_POS_FRAMES, number)
    ok, frame = capture.read()
    capture.release()
    if not ok:
        raise ValueError(f"{path} has no frame {number}")
    return frame


def _noisy(picture: np.ndarray, seed: int) -> np.ndarray:
    """``picture`` plus the sensor noise of a live camera (different on every sample)."""
    noise = np.random.default_rng(seed).normal(0.0, 2.0, picture.shape)
    return np.clip(picture.astype(np.float32) + noise, 0, 255).astype(np.uint8)


# -- tamper scenarios -------------------------------------------------------------------------


def _tamper(frames: list[np.ndarray], name: str, description: str, kind: EventKind,
            change: Callable[[np.ndarray], np.ndarray], start: int = 20, end: int = 45,
            samples: int = 70) -> Scenario:
    def frame(i: int) -> np.ndarray:
        picture = frames[i % len(frames)]
        return change(picture) if start <= i < end else picture

    return Scenario(name, description, samples, frame, truths=[Truth(kind, "", start, end)])


def _shift(picture: np.ndarray, share: float = 0.1) -> np.ndarray:
    height, width = picture.shape[:2]
    matrix = np.array([[1, 0, share * width], [0, 1, 0.3 * share * height]], np.float32)
    return cv2.warpAffine(picture, matrix, (width, height), borderMode=cv2.BORDER_REFLECT)


def _black(picture: np.ndarray) -> np.ndarray:
    return _noisy(np.full_like(picture, 6), seed=int(picture[0, 0, 0]))


def tamper_scenarios(frames: list[np.ndarray]) -> list[Scenario]:
    """Baseline, covered, defocused, moved, frozen, feed cut and detector down, on footage."""

    def frozen(i: int) -> np.ndarray:
        return frames[(20 if 20 <= i < 45 else i) % len(frames)]

    def cut(i: int) -> np.ndarray | None:
        return None if 20 <= i < 40 else frames[i % len(frames)]

    def changed(change: Callable[[np.ndarray], np.ndarray]) -> FrameSource:
        return lambda i: change(frames[i % len(frames)]) if i >= 20 else frames[i % len(frames)]

    return [
        Scenario("footage", "the footage as it is: nothing to flag", 70,
                 lambda i: frames[i % len(frames)]),
        # hard negatives: ordinary changes a room camera sees, which must not raise alarms
        Scenario("dimmed", "lights dimmed to half from 20 s: nothing to flag", 60,
                 changed(lambda p: (p * 0.5).astype(np.uint8))),
        Scenario("soft-focus", "slightly soft picture (sigma 0.7) from 20 s: nothing to flag",
                 60, changed(lambda p: cv2.GaussianBlur(p, (0, 0), 0.7))),
        Scenario("nudged", "camera nudged by 1.5% from 20 s: nothing to flag", 60,
                 changed(lambda p: _shift(p, 0.015))),
        _tamper(frames, "covered", "lens covered (picture black) from 20 s to 45 s",
                EventKind.COVERED, _black),
        _tamper(frames, "defocused", "picture blurred (Gaussian sigma 6) from 20 s to 50 s",
                EventKind.DEFOCUSED, lambda p: cv2.GaussianBlur(p, (0, 0), 6), end=50),
        _tamper(frames, "moved", "camera turned (scene shifted 10%) from 20 s on",
                EventKind.MOVED, _shift, end=70),
        Scenario("frozen", "picture stuck on one frame from 20 s to 45 s", 70, frozen,
                 truths=[Truth(EventKind.FROZEN, "", 20, 45)]),
        Scenario("feed-cut", "no frames from 20 s to 40 s", 60, cut,
                 truths=[Truth(EventKind.STREAM_LOST, "", 20, 40)]),
        Scenario("detector-down", "detector unavailable from 20 s to 30 s", 45,
                 lambda i: frames[i % len(frames)], detector_down=range(20, 30),
                 truths=[Truth(EventKind.NOT_ANALYSED, "", 20, 30)]),
    ]


# -- people scenarios -------------------------------------------------------------------------


def _pixels(box: tuple[float, float, float, float], shape: tuple[int, ...],
            grow: float = 0.0) -> tuple[int, int, int, int]:
    height, width = shape[:2]
    x1, y1, x2, y2 = box
    dx, dy = (x2 - x1) * grow, (y2 - y1) * grow
    return (max(0, int((x1 - dx) * width)), max(0, int((y1 - dy) * height)),
            min(width, int((x2 + dx) * width)), min(height, int((y2 + dy) * height)))


def _zone(name: str, box: tuple[float, float, float, float], grow_x: float,
          grow_y: float) -> Zone:
    x1, y1, x2, y2 = box
    dx, dy = (x2 - x1) * grow_x, (y2 - y1) * grow_y
    left, top = max(0.0, x1 - dx), max(0.0, y1 - dy)
    right, bottom = min(1.0, x2 + dx), min(1.0, y2 + dy)
    return Zone(name=name, polygon=[(left, top), (right, top), (right, bottom), (left, bottom)])


def remove_person(picture: np.ndarray, person: Detection) -> np.ndarray:
    """The picture with ``person`` painted out (inpainted from the surroundings)."""
    x1, y1, x2, y2 = _pixels(person.box, picture.shape, grow=0.15)
    mask = np.zeros(picture.shape[:2], np.uint8)
    mask[y1:y2, x1:x2] = 255
    return cv2.inpaint(picture, mask, 5, cv2.INPAINT_TELEA)


def paste_person(picture: np.ndarray, person: Detection, centre: tuple[float, float]
                 ) -> np.ndarray:
    """The picture with a copy of ``person`` whose box is centred at ``centre`` (normalised)."""
    x1, y1, x2, y2 = _pixels(person.box, picture.shape)
    crop = picture[y1:y2, x1:x2]
    height, width = picture.shape[:2]
    left = min(max(0, int(centre[0] * width - crop.shape[1] / 2)), width - crop.shape[1])
    top = min(max(0, int(centre[1] * height - crop.shape[0] / 2)), height - crop.shape[0])
    result = picture.copy()
    result[top:top + crop.shape[0], left:left + crop.shape[1]] = crop
    return result


def _free_side(person: Detection, others: list[Detection]) -> float:
    """Horizontal room next to ``person``: distance to the nearest other box centre."""
    centre = (person.box[0] + person.box[2]) / 2
    return min((abs(centre - (o.box[0] + o.box[2]) / 2) for o in others if o is not person),
               default=1.0)


def people_scenarios(base: np.ndarray, people: list[Detection]) -> list[Scenario]:
    """Someone leaves their seat, someone joins an examinee, the invigilator leaves.

    ``people`` are the detector's people on the clean ``base``; the roles go to upright ones
    (taller than wide: the default model also calls a cloth on the ground a "fallen
    person", which stays in the count but is nobody's role). The most confidently detected
    is the invigilator; every other detection has a seat zone around its box; the intruder
    is a copy of the upright examinee with the most room beside them, pasted at their side
    inside their seat zone.
    """
    upright = [p for p in people if p.box[3] - p.box[1] > p.box[2] - p.box[0]]
    if len(upright) < 3:
        raise ValueError(f"the base frame shows {len(upright)} upright people; people "
                         "scenarios need at least 3: choose another frame")
    invigilator = max(upright, key=lambda p: p.confidence)
    examinees = sorted((p for p in people if p is not invigilator), key=lambda p: p.box[0])
    seats = {id(p): _zone(f"seat {i}", p.box, 0.4, 0.1) for i, p in enumerate(examinees, 1)}
    for person in people:
        for other in examinees:
            if other is not person and seats[id(other)].contains(seat_point(person)):
                raise ValueError(f"{seats[id(other)].name} would hold two people already: "
                                 "choose a frame where people stand further apart")
    scene = SceneSettings(expected_headcount=len(people), seat_zones=list(seats.values()),
                          invigilator_zone=_zone("invigilator", invigilator.box, 0.3, 0.15))
    assert scene.invigilator_zone is not None
    standing = [p for p in examinees if p in upright]
    host = max(standing, key=lambda p: _free_side(p, people))
    leaver = next(p for p in standing if p is not host)
    hx1, hy1, hx2, hy2 = host.box
    toward_middle = 1 if (hx1 + hx2) / 2 < 0.5 else -1
    beside_host = ((hx1 + hx2) / 2 + toward_middle * 0.75 * (hx2 - hx1), (hy1 + hy2) / 2)
    host_seat = seats[id(host)]

    def held(changed: np.ndarray, start: int, end: int) -> FrameSource:
        return lambda i: _noisy(changed if start <= i < end else base, seed=i)

    without_leaver = remove_person(base, leaver)
    with_intruder = paste_person(base, host, beside_host)  # someone alike, at their side
    without_invigilator = remove_person(base, invigilator)
    leaver_seat, invigilation = seats[id(leaver)].name, scene.invigilator_zone.name
    return [
        Scenario("room", "a still room with everybody in place: nothing to flag", 90,
                 held(base, 0, 0), scene),
        Scenario("leaves-seat", "an examinee leaves from 20 s to 80 s", 100,
                 held(without_leaver, 20, 80), scene,
                 [Truth(EventKind.PERSON_MISSING, "", 20, 80),
                  Truth(EventKind.SEAT_EMPTY, leaver_seat, 20, 80)]),
        Scenario("intruder", "someone joins an examinee's seat from 20 s to 50 s", 70,
                 held(with_intruder, 20, 50), scene,
                 [Truth(EventKind.EXTRA_PERSON, "", 20, 50),
                  Truth(EventKind.SEAT_SHARED, host_seat.name, 20, 50)]),
        Scenario("invigilator-away", "the invigilator leaves from 20 s to 100 s", 120,
                 held(without_invigilator, 20, 100), scene,
                 [Truth(EventKind.PERSON_MISSING, "", 20, 100),
                  Truth(EventKind.INVIGILATOR_AWAY, invigilation, 20, 100)]),
    ]


# -- running and scoring ----------------------------------------------------------------------


COUNTINGS = {"single_frame": CountFusion(samples=1), "fused": CountFusion()}
"""The ways of counting ``proctor eval scenarios`` compares: each sample alone, and over the
latest samples (the default)."""


def run_scenario(scenario: Scenario, detector: Detector, rules: AnalysisRules,
                 counting: CountFusion = CountFusion()) -> ScenarioResult:
    """Feed the clip sample by sample through the detector and a fresh camera monitor."""
    return compare_counting(scenario, detector, rules, {"": counting})[""]


def compare_counting(scenario: Scenario, detector: Detector, rules: AnalysisRules,
                     countings: Mapping[str, CountFusion], t0: float = 1_000_000.0
                     ) -> dict[str, ScenarioResult]:
    """Feed the clip through the detector once, and its samples through one fresh camera
    monitor per way of counting; the result of each, by the ways' names."""
    phones = "phone" in detector.spec.classes.values()
    monitors = {name: CameraMonitor(0, scenario.scene, rules, phone_detection=phones,
                                    counting=counting)
                for name, counting in countings.items()}
    events: dict[str, list[OpenedEvent]] = {name: [] for name in countings}
    for i in range(scenario.samples):
        picture = scenario.frame(i)
        luma = cv2.cvtColor(picture, cv2.COLOR_BGR2GRAY) if picture is not None else None
        detections = None
        if picture is not None and i not in scenario.detector_down:
            detections = detector.detect([picture])[0]
        sample = Sample(t0 + i, luma, detections)
        for name, monitor in monitors.items():
            events[name].extend(_opened(transition, t0)
                                for transition in monitor.observe(sample)
                                if transition.action == "open")
    return {name: score(scenario, found) for name, found in events.items()}


def _opened(transition: Transition, t0: float) -> OpenedEvent:
    return OpenedEvent(transition.kind, transition.zone, transition.started_at - t0,
                       transition.at - t0)


def score(scenario: Scenario, events: list[OpenedEvent]) -> ScenarioResult:
    """Match ``events`` to the clip's truths: the rest are false alarms."""
    matched: dict[Truth, OpenedEvent] = {}
    false_alarms = []
    for event in events:
        truth = next((t for t in scenario.truths if t not in matched and t.kind is event.kind
                      and t.zone == event.zone and t.start <= event.opened_at
                      and event.started_at <= t.end), None)
        if truth is None:
            false_alarms.append(event)
        else:
            matched[truth] = event
    return ScenarioResult(scenario, events, matched, false_alarms)


def summarise(results: list[ScenarioResult]) -> dict[str, dict[str, float | int | None]]:
    """Per event kind: truths, events, precision, recall, onset delay p50 and max (s)."""
    kinds = sorted({t.kind for r in results for t in r.scenario.truths}
                   | {e.kind for r in results for e in r.events}, key=lambda k: k.value)
    summary: dict[str, dict[str, float | int | None]] = {}
    for kind in kinds:
        truths = sum(t.kind is kind for r in results for t in r.scenario.truths)
        found = [e for r in results for t, e in r.matched.items() if t.kind is kind]
        delays = [e.opened_at - t.start for r in results for t, e in r.matched.items()
                  if t.kind is kind]
        alarms = sum(e.kind is kind for r in results for e in r.false_alarms)
        summary[kind.value] = {
            "truths": truths, "found": len(found), "false_alarms": alarms,
            "precision": round(len(found) / (len(found) + alarms), 3) if found or alarms
            else None,
            "recall": round(len(found) / truths, 3) if truths else None,
            "onset_s_p50": round(statistics.median(delays), 1) if delays else None,
            "onset_s_max": round(max(delays), 1) if delays else None,
        }
    return summary


def iterate(scenarios: list[Scenario], detector: Detector, rules: AnalysisRules,
            countings: Mapping[str, CountFusion] = COUNTINGS
            ) -> Iterator[dict[str, ScenarioResult]]:
    """Run each scenario in turn, every way of counting."""
    for scenario in scenarios:
        yield compare_counting(scenario, detector, rules, countings)
