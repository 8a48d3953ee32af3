"""Scene zones: normalised polygons validated on input, and the even-odd containment that
decides which people sit in which seat."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from proctor.vision.detector import Detection
from proctor.vision.scene import SceneSettings, Zone, people_in, seat_point

SQUARE = [(0.2, 0.2), (0.6, 0.2), (0.6, 0.6), (0.2, 0.6)]


def person(x1: float, y1: float, x2: float, y2: float) -> Detection:
    return Detection("person", 0.9, (x1, y1, x2, y2))


@pytest.mark.parametrize("point, inside", [
    ((0.4, 0.4), True), ((0.21, 0.59), True), ((0.1, 0.4), False), ((0.4, 0.7), False),
    ((0.7, 0.7), False), ((0.0, 0.0), False),
])
def test_a_point_is_in_a_square_zone_or_not(point: tuple[float, float], inside: bool) -> None:
    assert Zone(name="A1", polygon=SQUARE).contains(point) is inside


def test_concave_zones_use_the_even_odd_rule() -> None:
    # a U shape: the notch between its arms is outside
    u_shape = Zone(name="U", polygon=[(0.1, 0.1), (0.3, 0.1), (0.3, 0.6), (0.5, 0.6), (0.5, 0.1),
                                      (0.7, 0.1), (0.7, 0.9), (0.1, 0.9)])
    assert u_shape.contains((0.2, 0.3)) and u_shape.contains((0.6, 0.3))
    assert not u_shape.contains((0.4, 0.3))
    assert u_shape.contains((0.4, 0.8))


def test_corners_may_be_given_either_way_round() -> None:
    clockwise = Zone(name="cw", polygon=SQUARE)
    anticlockwise = Zone(name="acw", polygon=list(reversed(SQUARE)))
    for point in ((0.3, 0.3), (0.59, 0.21), (0.61, 0.3), (0.5, 0.0)):
        assert clockwise.contains(point) is anticlockwise.contains(point)


@pytest.mark.parametrize("polygon, message", [
    ([(0.1, 0.1), (0.2, 0.2)], "at least 3"),
    ([(0.1, 0.1), (1.2, 0.1), (0.5, 0.5)], "outside the picture"),
    ([(0.1, -0.01), (0.5, 0.1), (0.5, 0.5)], "outside the picture"),
    ([(0.1, math.nan), (0.5, 0.1), (0.5, 0.5)], "outside the picture"),
    ([(0.1, math.inf), (0.5, 0.1), (0.5, 0.5)], "outside the picture"),
    ([(0.1, 0.1)] * 65, "at most 64"),
])
def test_bad_polygons_are_refused(polygon: list[tuple[float, float]], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Zone(name="bad", polygon=polygon)


def test_zone_names_are_required_and_bounded() -> None:
    with pytest.raises(ValidationError):
        Zone(name="", polygon=SQUARE)
    with pytest.raises(ValidationError):
        Zone(name="座" * 101, polygon=SQUARE)
    with pytest.raises(ValidationError, match="Extra inputs"):
        Zone.model_validate({"name": "A1", "polygon": SQUARE, "colour": "red"})


def test_seat_names_must_be_unique() -> None:
    seats = [Zone(name=n, polygon=SQUARE) for n in ("A1", "A2", "A1", "B1", "B1")]
    with pytest.raises(ValidationError, match="repeated: A1, B1"):
        SceneSettings(seat_zones=seats)


@pytest.mark.parametrize("headcount, ok", [(None, True), (0, True), (500, True),
                                           (501, False), (-1, False)])
def test_headcount_bounds(headcount: int | None, ok: bool) -> None:
    if ok:
        assert SceneSettings(expected_headcount=headcount).expected_headcount == headcount
    else:
        with pytest.raises(ValidationError):
            SceneSettings(expected_headcount=headcount)


def test_scene_settings_round_trip_through_json() -> None:
    scene = SceneSettings(expected_headcount=3, seat_zones=[Zone(name="A1", polygon=SQUARE)],
                          invigilator_zone=Zone(name="desk", polygon=SQUARE))
    assert SceneSettings.model_validate_json(scene.model_dump_json()) == scene
    assert SceneSettings() == SceneSettings.model_validate({})


def test_people_are_placed_by_their_seat_point_not_their_box() -> None:
    seat = Zone(name="A1", polygon=SQUARE)
    seated = person(0.3, 0.1, 0.5, 0.7)  # head above the seat, hips (0.4, 0.58) in it
    standing_by = person(0.55, 0.1, 0.95, 0.9)  # overlaps the seat, hips (0.75, 0.74) not
    # standing in the aisle behind the seat: box centre (0.4, 0.475) in the seat, hips not
    behind = person(0.3, 0.05, 0.5, 0.9)
    assert seat_point(seated) == pytest.approx((0.4, 0.58))
    assert seat.contains((0.4, 0.475)) and seat_point(behind)[1] == pytest.approx(0.73)
    assert people_in(seat, [seated, standing_by, behind]) == [seated]
    assert people_in(seat, []) == []
