"""What a camera is expected to see: how many people, where the seats and the invigilator are.

Zones are polygons in normalised picture coordinates (0..1, origin top left), so they stay
right when a camera's resolution changes. A person is *in* a zone when their *seat point*
is: the middle of their box across, :data:`SEAT_POINT_HEIGHT` of the way down it. That is
about the hip of a seated examinee whose legs the desk hides (the box ends at the desk), and
the thighs of a standing person. Box overlap or the box centre would put someone standing
behind a seat, or leaning over from the next one, in it: their head and shoulders overlap
the seat, their hips do not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator

from proctor.vision.detector import Detection

Point = tuple[float, float]
# a corner [x, y] in a document: a two-number array (``prefixItems`` is misread by some
# OpenAPI tools, schemathesis's response validator among them)
Corner = Annotated[Point, WithJsonSchema(
    {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2})]


class Zone(BaseModel):
    """A named polygon (at least three corners, each coordinate in 0..1)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, description="e.g. seat A3")
    polygon: list[Corner] = Field(min_length=3, max_length=64,
                                 description="corners as [x, y], each in 0..1")

    @field_validator("polygon")
    @classmethod
    def _normalised(cls, polygon: list[Point]) -> list[Point]:
        for x, y in polygon:
            if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
                raise ValueError(f"corner ({x}, {y}) lies outside the picture: coordinates "
                                 "are shares of width and height, between 0 and 1")
        return polygon

    def contains(self, point: Point) -> bool:
        """Whether ``point`` lies inside the polygon (even-odd rule)."""
        x, y = point
        inside = False
        corners = self.polygon
        for (x1, y1), (x2, y2) in zip(corners, corners[1:] + corners[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
        return inside


class SceneSettings(BaseModel):
    """A camera's expectations; every part is optional, and a rule without its part is off."""

    model_config = ConfigDict(extra="forbid")

    expected_headcount: int | None = Field(
        default=None, ge=0, le=500,
        description="examinees plus invigilators this camera should see; unset: no headcount rule")
    seat_zones: list[Zone] = Field(default_factory=list, max_length=200,
                                   description="one zone per seat the camera covers")
    invigilator_zone: Zone | None = Field(default=None,
                                          description="where an invigilator must be present")

    @field_validator("seat_zones")
    @classmethod
    def _unique_names(cls, zones: list[Zone]) -> list[Zone]:
        names = [zone.name for zone in zones]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"seat zone names must be unique; repeated: {', '.join(duplicates)}")
        return zones


SEAT_POINT_HEIGHT = 0.8  # share of the box height, from its top, where a person sits


def seat_point(detection: Detection) -> Point:
    """Where a detected person counts for a zone: across the middle of the box,
    :data:`SEAT_POINT_HEIGHT` of the way down (normalised)."""
    x1, y1, x2, y2 = detection.box
    return (x1 + x2) / 2, y1 + SEAT_POINT_HEIGHT * (y2 - y1)


def people_in(zone: Zone, people: Sequence[Detection]) -> list[Detection]:
    """The people whose seat point lies in ``zone``."""
    return [person for person in people if zone.contains(seat_point(person))]


def zones_of(scene: SceneSettings) -> list[Zone]:
    """The scene's seat zones, then its invigilator zone (if it has one)."""
    invigilator = [scene.invigilator_zone] if scene.invigilator_zone is not None else []
    return [*scene.seat_zones, *invigilator]


@dataclass(frozen=True)
class ZoneCount:
    """How many people one zone holds in a sample."""

    name: str
    kind: Literal["seat", "invigilator"]
    people: int


def zone_counts(scene: SceneSettings, people: Sequence[Detection]) -> list[ZoneCount]:
    """The people in each seat zone, then in the invigilator zone (if the scene has one)."""
    zones: list[tuple[Literal["seat", "invigilator"], Zone]] = [
        ("seat", zone) for zone in scene.seat_zones]
    if scene.invigilator_zone is not None:
        zones.append(("invigilator", scene.invigilator_zone))
    return [ZoneCount(zone.name, kind, len(people_in(zone, people)))
            for kind, zone in zones]


@dataclass(frozen=True)
class Occupancy:
    """A camera's latest analysed sample against its scene: everyone counted, the expected
    count, and the people in each zone."""

    at: float  # sample time, epoch seconds
    people: int
    expected: int | None
    zones: list[ZoneCount]
