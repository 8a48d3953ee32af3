"""The edge observation model both sides share: a picture's statistics survive the trip,
and bad observations are refused with a reason."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from proctor.vision.detector import Detection
from proctor.vision.observation import MAX_OBSERVATIONS, Observation, Observations
from proctor.vision.tamper import TamperKind, frame_stats, tamper_signals

LUMA = np.random.default_rng(9).integers(40, 200, (240, 320), dtype=np.uint8)
PERSON = Detection("person", 0.8, (0.1, 0.2, 0.3, 0.9))


def sent(observation: Observation) -> Observation:
    """The observation as the server reads it from the wire."""
    return Observation.model_validate_json(observation.model_dump_json())


def test_statistics_and_boxes_survive_the_trip() -> None:
    stats = frame_stats(LUMA)
    received = sent(Observation.of(1e9, stats, [PERSON], model="nanodet"))
    assert received.detections() == [PERSON] and received.model == "nanodet"
    assert received.picture is not None
    back = received.picture.frame_stats()
    assert (back.brightness, back.contrast, back.sharpness) == (
        stats.brightness, stats.contrast, stats.sharpness)
    assert np.abs(back.thumbnail - stats.thumbnail).max() < 0.07  # float16 of 0..255
    # the tamper checks read them alike: a frozen picture is still frozen, a live one not
    assert tamper_signals(back, back, back, back.sharpness) == {TamperKind.FROZEN}
    noisy = frame_stats(LUMA + np.random.default_rng(1).integers(0, 3, LUMA.shape,
                                                                 dtype=np.uint8))
    again = sent(Observation.of(1e9, noisy, [])).picture
    assert again is not None and tamper_signals(again.frame_stats(), back, back,
                                                back.sharpness) == set()


def test_no_picture_and_not_analysed_are_said_with_null() -> None:
    received = sent(Observation.of(1e9, None, None))
    assert received.picture is None and received.detections() is None


@pytest.mark.parametrize(("change", "reason"), [
    ({"boxes": [{"label": "person", "confidence": 0.9, "box": [0.5, 0.1, 0.2, 0.9]}]},
     "x1 <= x2"),
    ({"boxes": [{"label": "cat", "confidence": 0.9, "box": [0.1, 0.1, 0.2, 0.9]}]},
     "'person' or 'phone'"),
    ({"boxes": [{"label": "person", "confidence": 1.5, "box": [0.1, 0.1, 0.2, 0.9]}]},
     "less than or equal to 1"),
    ({"at": -1}, "greater than 0"),
    ({"picture": {"brightness": 1, "contrast": 1, "sharpness": 1, "thumbnail": "AAAA"}},
     "at least"),
    ({"extra": 1}, "Extra inputs"),
])
def test_bad_observations_are_refused_with_a_reason(change: dict[str, object],
                                                    reason: str) -> None:
    body = {"at": 1e9, "picture": None, "boxes": [], **change}
    with pytest.raises(ValidationError, match=reason):
        Observation.model_validate(body)


def test_a_request_carries_a_bounded_number_of_observations() -> None:
    one = Observation.of(1e9, None, [])
    assert len(Observations(observations=[one] * MAX_OBSERVATIONS).observations) == 15
    with pytest.raises(ValidationError, match="at most 15"):
        Observations(observations=[one] * (MAX_OBSERVATIONS + 1))
    with pytest.raises(ValidationError, match="at least 1"):
        Observations(observations=[])
