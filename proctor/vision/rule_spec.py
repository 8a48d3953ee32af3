"""What a rule is: its default timing, what it sees of a sample and what it says about it.

A rule's evaluation is a pure function from a :class:`SampleView` to :class:`Reading` values
by zone (``""`` for rules about the whole picture). A rule that cannot be judged on a sample
(no picture, detector down, lens covered) returns :data:`UNJUDGED` for each zone it would
judge: the tracker ignores that sample, as evidence neither way. A rule that does not apply
(no expected headcount, no zones set) returns no reading for the zone: the tracker counts the
condition as absent, so an event of a rule switched off closes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

from proctor.vision.counting import Counts
from proctor.vision.detector import Detection
from proctor.vision.scene import SceneSettings, Zone, people_in
from proctor.vision.tamper import TamperKind

JsonObject: TypeAlias = dict[str, JsonValue]
"""A JSON object: a reading's measurements, an event's peak and explanation (stored in JSON
columns and sent to the console as they are)."""


class RuleTiming(BaseModel):
    """Smoothing and cooldown of one rule (see :mod:`proctor.vision.rules`)."""

    model_config = ConfigDict(extra="forbid")

    confirm_k: int = Field(default=3, ge=1, description="samples with the condition ...")
    confirm_n: int = Field(default=4, ge=1, description="... among the last n samples")
    hold_s: float = Field(default=0.0, ge=0, description="condition lasted at least this long")
    clear_n: int = Field(default=3, ge=1, description="samples in a row without it close")
    cooldown_s: float = Field(default=60.0, ge=0, description="quiet time after closing")

    @model_validator(mode="after")
    def _k_within_n(self) -> RuleTiming:
        if self.confirm_k > self.confirm_n:
            raise ValueError(f"confirm_k ({self.confirm_k}) cannot exceed confirm_n "
                             f"({self.confirm_n})")
        return self


@dataclass(frozen=True)
class Reading:
    """One sample's verdict for one rule and zone: is the condition present, how bad is it
    (``severity``, larger is worse: the event keeps the values of its worst sample)."""

    active: bool
    severity: float = 0.0
    values: JsonObject = field(default_factory=dict)
    judged: bool = True  # False: the sample cannot show the condition either way


UNJUDGED = Reading(False, judged=False)
"""The reading of a rule that applies but cannot be judged on this sample."""


@dataclass(frozen=True)
class SampleView:
    """What the rules see of one sample (built by the camera monitor)."""

    picture: bool  # a new frame arrived since the previous sample
    tamper: Mapping[TamperKind, JsonObject]  # signals present, with their measurements
    detections: Sequence[Detection] | None  # None: not analysed (no picture, detector down)
    scene: SceneSettings
    phone_detection: bool  # the model has a phone class
    # several cameras share a room's headcount: the most people any of them counts now
    # (this camera included); None: the camera's own count is the headcount
    room_people: int | None = None
    # the camera's counts over its latest samples (:mod:`proctor.vision.counting`); None:
    # this sample's own detections
    counts: Counts | None = None

    @property
    def room_visible(self) -> bool:
        """Whether the room can be judged: analysed, and the lens is not covered."""
        return self.detections is not None and TamperKind.COVERED not in self.tamper

    @property
    def people(self) -> list[Detection]:
        """The people detected (none when not analysed)."""
        return [d for d in self.detections or () if d.label == "person"]

    @property
    def people_count(self) -> int:
        """How many people this camera counts (over its latest samples, when given)."""
        return self.counts.people if self.counts is not None else len(self.people)

    @property
    def headcount(self) -> int:
        """The count the headcount rules compare: the room's (``room_people``) when the
        camera judges a room with others, else this camera's count."""
        return self.people_count if self.room_people is None else self.room_people

    def zone_count(self, zone: Zone) -> int:
        """How many people ``zone`` holds (over the latest samples, when counts are given)."""
        if self.counts is not None and zone.name in self.counts.zones:
            return self.counts.zones[zone.name]
        return len(people_in(zone, self.people))


Readings = dict[str, Reading]  # by zone name; "" for the whole picture
Evaluator = Callable[[SampleView], Readings]


@dataclass(frozen=True)
class RuleSpec:
    """Everything about one rule except its name (the :class:`EventKind` it is declared on)."""

    description: str  # shown to supervisors with each event
    condition: str  # the condition in the docs' rule table
    timing: RuleTiming  # defaults; PROCTOR_ANALYSIS_RULES changes them
    evaluate: Evaluator = field(compare=False)
    uses_model: bool = False  # judged on detections: the explanation names the model and scene
