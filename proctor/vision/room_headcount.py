"""Who expects how many people when a roster gives a room's headcount (pure).

While a session uses a room, another wing (the roster, passed in by the composition root)
says how many people the room should hold and which cameras the room has
(:class:`RoomHeadcount`). How that becomes each camera's expectation:

- **one camera in the room**: it expects the whole room;
- **several cameras, this one with seat zones**: it expects what its scene says it covers,
  one person per seat zone, plus one when it has an invigilator zone;
- **several cameras, no seat zones**: the room's count applies to the room, not to each
  camera. The analysed cameras of the room without seat zones judge it together: the one
  with the lowest id (the *lead*) expects the whole room and compares it with the most
  people any of them counts at that moment (:attr:`CameraHeadcount.peers`); the others
  have no headcount rule, so one shortfall raises one event, not one per camera.

A room should be set up one way: seat-zoned cameras are not subtracted from the room's
count that the others judge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from proctor.vision.scene import SceneSettings


class RoomHeadcount(Protocol):
    """What a roster expects of a camera's room at a moment."""

    @property
    def people(self) -> int:
        """Examinees and staff the room should hold."""
        ...

    @property
    def cameras(self) -> tuple[int, ...]:
        """Every camera of the room, analysed or not."""
        ...


@dataclass(frozen=True)
class CameraHeadcount:
    """A camera's headcount expectation (``None``: no headcount rule on it) and, when it
    leads a room, the other cameras whose counts it takes into account."""

    expected: int | None
    peers: tuple[int, ...] | None = None


def plan_headcounts(rooms: Mapping[int, RoomHeadcount | None],
                    scenes: Mapping[int, SceneSettings]) -> dict[int, CameraHeadcount | None]:
    """The expectation of each analysed camera of ``rooms`` (``scenes``: every analysed
    camera's own scene settings); ``None`` for one no roster covers now (its own scene
    applies)."""
    return {camera_id: _plan(camera_id, room, scenes) for camera_id, room in rooms.items()
            if camera_id in scenes}


def _plan(camera_id: int, room: RoomHeadcount | None,
          scenes: Mapping[int, SceneSettings]) -> CameraHeadcount | None:
    if room is None:
        return None
    if len(room.cameras) <= 1:
        return CameraHeadcount(room.people)
    own = scenes[camera_id]
    if own.seat_zones:
        return CameraHeadcount(len(own.seat_zones) + (own.invigilator_zone is not None))
    group = sorted({camera_id, *(c for c in room.cameras
                                 if c in scenes and not scenes[c].seat_zones)})
    if camera_id != group[0]:
        return CameraHeadcount(None)
    return CameraHeadcount(room.people, tuple(group[1:]))
