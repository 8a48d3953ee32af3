"""Each rule's evaluation on hand-made samples: what it judges, and when it stays silent."""

from __future__ import annotations

from proctor.vision import evaluation as rule
from proctor.vision.detector import Detection
from proctor.vision.rule_spec import UNJUDGED, Reading, SampleView
from proctor.vision.scene import SceneSettings, Zone
from proctor.vision.tamper import TamperKind

LEFT = Zone(name="A1", polygon=[(0, 0), (0.5, 0), (0.5, 1), (0, 1)])
RIGHT = Zone(name="desk", polygon=[(0.5, 0), (1, 0), (1, 1), (0.5, 1)])
SCENE = SceneSettings(expected_headcount=2, seat_zones=[LEFT], invigilator_zone=RIGHT)


def person(x: float, confidence: float = 0.9) -> Detection:
    return Detection("person", confidence, (x - 0.05, 0.4, x + 0.05, 0.6))


def view(detections: list[Detection] | None, *, picture: bool = True,
         tamper: dict[TamperKind, dict[str, float]] | None = None,
         phones: bool = False) -> SampleView:
    return SampleView(picture, tamper or {}, detections, SCENE, phones)


def test_headcount_rules_compare_with_the_expected_count() -> None:
    three = view([person(0.2, 0.7), person(0.3), person(0.8)])
    assert rule.extra_person(three) == {"": Reading(True, 1, {"count": 3, "expected": 2,
                                                             "confidence": 0.7})}
    assert rule.person_missing(three)[""].active is False
    assert rule.person_missing(view([]))[""] == Reading(
        True, 2, {"count": 0, "expected": 2, "confidence": None})


def test_seat_rules_judge_each_zone() -> None:
    shared = view([person(0.2), person(0.3, 0.6)])
    assert rule.seat_shared(shared) == {"A1": Reading(True, 2, {"count": 2, "confidence": 0.6})}
    assert rule.seat_empty(shared)["A1"].active is False
    assert rule.seat_empty(view([person(0.8)]))["A1"].active is True
    assert rule.invigilator_away(shared) == {"desk": Reading(True, 0.0, {"count": 0})}


def test_room_rules_cannot_judge_a_room_nobody_can_see() -> None:
    covered = view([], tamper={TamperKind.COVERED: {"brightness": 3.0}})
    down = view(None)
    zones = {rule.extra_person: [""], rule.person_missing: [""], rule.seat_empty: ["A1"],
             rule.seat_shared: ["A1"], rule.invigilator_away: ["desk"], rule.phone: [""]}
    for evaluate, names in zones.items():
        for unseen in (covered, down):
            phones = SampleView(unseen.picture, unseen.tamper, unseen.detections, SCENE, True)
            assert evaluate(phones) == {name: UNJUDGED for name in names}, evaluate.__name__


def test_rules_that_do_not_apply_give_no_reading() -> None:
    bare = SampleView(True, {}, [], SceneSettings(), False)
    for evaluate in (rule.extra_person, rule.person_missing, rule.seat_empty,
                     rule.seat_shared, rule.invigilator_away, rule.phone):
        assert evaluate(bare) == {}, evaluate.__name__  # no headcount, no zones, no phones


def test_phone_only_with_a_model_that_sees_phones() -> None:
    phone = Detection("phone", 0.81234, (0.4, 0.4, 0.5, 0.5))
    assert rule.phone(view([phone], phones=False)) == {}
    assert rule.phone(view([phone], phones=True)) == {
        "": Reading(True, 0.81234, {"phones": 1, "confidence": 0.812})}


def test_tamper_rules_carry_their_measurements() -> None:
    covered = rule.tamper(TamperKind.COVERED)
    measured = {"brightness": 3.0, "dark_below": 20.0}
    assert covered(view(None, tamper={TamperKind.COVERED: measured})) == {
        "": Reading(True, values=measured)}
    assert covered(view(None, tamper={TamperKind.FROZEN: {}}))[""].active is False


def test_stream_and_detector_rules() -> None:
    assert rule.stream_lost(view(None, picture=False))[""].active is True
    assert rule.stream_lost(view([]))[""].active is False
    assert rule.not_analysed(view(None))[""].active is True
    assert rule.not_analysed(view(None, picture=False))[""].active is False
    assert rule.not_analysed(view([]))[""].active is False
