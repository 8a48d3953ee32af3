"""Random inspection of batches (抽查, on site or by replay) and the yearly coverage check (pure).

The sample uses the same commit–reveal scheme and selection algorithm as the supervisor draw
(see ``selection``): the input is an :class:`InspectionSnapshot` (the candidate batches,
sorted by id, and how many to inspect on site and by replay); ``on_site + replay`` batch ids
are selected from the sorted ids with the seeded partial Fisher–Yates shuffle; the first
``on_site`` of the selection are inspected on site, the rest by replay.

The rules require every filed organisation to be inspected at least once a year
(每年对每个备案机构抽查不少于一次); :func:`organisations_not_inspected` reports the ones that
were not, so the centre can add them by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from pydantic import Field, field_validator, model_validator

from proctor.supervision.selection import (
    DrawRecord,
    Frozen,
    Snapshot,
    Verification,
    commitment,
    select,
    verify,
)


class InspectionMode(StrEnum):
    """How a batch is inspected."""

    ON_SITE = "on_site"
    REPLAY = "replay"


class CandidateBatch(Frozen):
    """A batch that may be picked for inspection."""

    id: str
    organisation_id: str
    date: dt.date


class InspectionSnapshot(Snapshot):
    """The whole input of an inspection sample, published in canonical JSON."""

    version: Literal[1] = 1
    kind: Literal["inspection"] = "inspection"
    period: str = Field(min_length=1, description="what the sample covers, e.g. 2026-12")
    on_site: int = Field(ge=0)
    replay: int = Field(ge=0)
    batches: tuple[CandidateBatch, ...]

    @field_validator("batches")
    @classmethod
    def _sorted_unique(cls, v: tuple[CandidateBatch, ...]) -> tuple[CandidateBatch, ...]:
        if len({b.id for b in v}) != len(v):
            raise ValueError("batch ids must be unique")
        return tuple(sorted(v, key=lambda b: b.id))

    @model_validator(mode="after")
    def _enough_batches(self) -> InspectionSnapshot:
        if self.on_site + self.replay > len(self.batches):
            raise ValueError(f"cannot inspect {self.on_site + self.replay} of "
                             f"{len(self.batches)} batches")
        return self


class InspectionDraw(DrawRecord):
    """The recorded sample: ``selected`` in draw order, split by mode."""

    period: str
    on_site: tuple[str, ...]
    replay: tuple[str, ...]


def draw_inspections(snapshot: InspectionSnapshot, seed: str) -> InspectionDraw:
    """Pick the batches to inspect, deterministically from ``seed``."""
    digest = snapshot.sha256()
    picked = select(seed, digest, [b.id for b in snapshot.batches],
                    snapshot.on_site + snapshot.replay)
    return InspectionDraw(snapshot_sha256=digest, commitment=commitment(seed), selected=picked,
                          period=snapshot.period, on_site=picked[:snapshot.on_site],
                          replay=picked[snapshot.on_site:])


def verify_inspections(snapshot: InspectionSnapshot | str | bytes, seed: str,
                       published_commitment: str, result: InspectionDraw) -> Verification:
    """Recompute an inspection sample and list every way ``result`` differs from it."""
    return verify(InspectionSnapshot, draw_inspections, snapshot, seed, published_commitment,
                  result)


@dataclass(frozen=True)
class Inspection:
    """One inspection that took place."""

    organisation_id: str
    day: dt.date
    mode: InspectionMode


def organisations_not_inspected(year: int, inspections: Iterable[Inspection],
                                organisations: Iterable[str]) -> tuple[str, ...]:
    """The organisations (sorted ids) with no inspection dated in ``year``."""
    inspected = {i.organisation_id for i in inspections if i.day.year == year}
    return tuple(sorted(set(organisations) - inspected))
