"""How each rule judges one sample: pure functions from a :class:`SampleView` to readings by
zone. They are named in the rule declarations of :mod:`proctor.vision.kinds`."""

from __future__ import annotations

from collections.abc import Sequence

from proctor.vision.detector import Detection
from proctor.vision.rule_spec import (
    UNJUDGED,
    Evaluator,
    JsonObject,
    Reading,
    Readings,
    SampleView,
)
from proctor.vision.scene import Zone, people_in
from proctor.vision.tamper import TamperKind


def stream_lost(view: SampleView) -> Readings:
    """No new frame since the previous sample."""
    return {"": Reading(not view.picture)}


def not_analysed(view: SampleView) -> Readings:
    """A picture the detector could not analyse (it is down)."""
    return {"": Reading(view.picture and view.detections is None)}


def tamper(kind: TamperKind) -> Evaluator:
    """The rule for one tamper signal, with its measurements as the event's values."""

    def evaluate(view: SampleView) -> Readings:
        values = view.tamper.get(kind)
        return {"": Reading(values is not None, values=values or {})}

    evaluate.__name__ = kind.value
    return evaluate


def extra_person(view: SampleView) -> Readings:
    """More people than the expected headcount; worse the more there are."""
    expected = view.scene.expected_headcount
    if expected is None:
        return {}
    if not view.room_visible:
        return {"": UNJUDGED}
    count = view.headcount
    return {"": Reading(count > expected, count - expected, _headcount_values(view, expected))}


def person_missing(view: SampleView) -> Readings:
    """Fewer people than the expected headcount; worse the fewer there are."""
    expected = view.scene.expected_headcount
    if expected is None:
        return {}
    if not view.room_visible:
        return {"": UNJUDGED}
    count = view.headcount
    return {"": Reading(count < expected, expected - count, _headcount_values(view, expected))}


def seat_empty(view: SampleView) -> Readings:
    """Nobody in a seat zone, per zone."""
    if not view.room_visible:
        return _unjudged(view.scene.seat_zones)
    return {zone.name: Reading(count == 0, 0.0, _seat_values(view, zone, count))
            for zone in view.scene.seat_zones for count in [view.zone_count(zone)]}


def seat_shared(view: SampleView) -> Readings:
    """Two or more people in one seat zone, per zone; worse the more share it."""
    if not view.room_visible:
        return _unjudged(view.scene.seat_zones)
    return {zone.name: Reading(count >= 2, count, _seat_values(view, zone, count))
            for zone in view.scene.seat_zones for count in [view.zone_count(zone)]}


def invigilator_away(view: SampleView) -> Readings:
    """Nobody in the invigilator zone."""
    zone = view.scene.invigilator_zone
    if zone is None:
        return {}
    if not view.room_visible:
        return _unjudged([zone])
    count = view.zone_count(zone)
    return {zone.name: Reading(count == 0, 0.0, {"count": count})}


def phone(view: SampleView) -> Readings:
    """A phone in view (models with a phone class only); worse the surer the model is."""
    if not view.phone_detection:
        return {}
    if not view.room_visible:
        return {"": UNJUDGED}
    phones = [d for d in view.detections or () if d.label == "phone"]
    confidence = max((d.confidence for d in phones), default=0.0)
    return {"": Reading(bool(phones), confidence,
                        {"phones": len(phones), "confidence": round(confidence, 3)})}


def _unjudged(zones: Sequence[Zone]) -> Readings:
    """Each zone's rule applies, but this sample cannot show it either way."""
    return {zone.name: UNJUDGED for zone in zones}


def _headcount_values(view: SampleView, expected: int) -> JsonObject:
    values: JsonObject = {"count": view.headcount, "expected": expected,
                          "confidence": _lowest_confidence(view.people)}
    if view.room_people is not None:
        values["this_camera"] = view.people_count  # the count is the room's
    return values


def _seat_values(view: SampleView, zone: Zone, count: int) -> JsonObject:
    return {"count": count, "confidence": _lowest_confidence(people_in(zone, view.people))}


def _lowest_confidence(people: Sequence[Detection]) -> float | None:
    """The weakest detection counted in this sample, so a reviewer sees how sure it was."""
    return round(min(d.confidence for d in people), 3) if people else None
