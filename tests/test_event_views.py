"""An event's view names its peak apart from the camera's current count (the console showed
"8 of 5" beside "4 / 5" with nothing saying which was which)."""

from __future__ import annotations

from datetime import UTC, datetime

from proctor.db.models import Event
from proctor.events.messages import alerts_schema
from proctor.events.views import event_view

AT = datetime(2026, 3, 2, 1, 10, tzinfo=UTC)


def view_of(kind: str, peak: dict[str, object]) -> dict[str, object]:
    row = Event(id=1, camera_id=2, kind=kind, zone="", started_at=AT, ended_at=None, peak=peak,
                explanation={}, snapshot_key=None)
    return event_view(row).model_dump()


def test_headcount_peak_is_named_peak_count_and_peak_expected() -> None:
    view = view_of("extra_person", {"count": 8, "expected": 5, "confidence": 0.61})
    assert (view["peak_count"], view["peak_expected"]) == (8, 5)
    assert view["peak"] == {"count": 8, "expected": 5, "confidence": 0.61}  # all of it, still


def test_a_peak_without_a_count_has_none() -> None:
    view = view_of("phone", {"phones": 1, "confidence": 0.9})
    assert (view["peak_count"], view["peak_expected"]) == (None, None)
    assert view_of("phone", {"count": True})["peak_count"] is None  # not a number of people


def test_the_schema_tells_the_two_counts_apart() -> None:
    definitions = alerts_schema()["$defs"]
    peak = definitions["EventView"]["properties"]["peak_count"]["description"]
    current = definitions["CameraMessage"]["properties"]["people"]["description"]
    assert "worst sample" in peak and "not the camera's current count" in peak
    assert "current count" in current and "peak_count" in current
