"""The supervisor pool snapshot and the recusal (回避) filters applied before a draw (pure).

A supervisor is *eligible* for a batch unless one of these filters matches (a supervisor may
match several; all are recorded):

- ``inactive``: not active in the pool;
- ``unqualified``: no qualification number (资格证号);
- ``outside_region``: region code not within the pool's region. GB/T 2260 codes have six
  digits; a code ending ``0000`` is a province and contains every code with its first two
  digits, one ending ``00`` is a city and contains every code with its first four, any other
  is a district and contains only itself;
- ``same_organisation``: works for the batch's organisation;
- ``declared_conflict``: a declared conflict (近亲属、师生、同事) with the batch's
  organisation or with a person named in the batch (``batch.person_ids``: opaque ids of the
  examiners, invigilators and candidates, never names);
- ``recent_assignment``: assigned to the batch's organisation on a date at most
  ``recusal_window_days`` days before *or after* the batch date (a later assignment that is
  already drawn counts too).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from pydantic import Field, field_validator, model_validator

from proctor.supervision.selection import Frozen, Snapshot

RegionCode = str  # six digits, GB/T 2260
_REGION = Field(pattern=r"^\d{6}$")


class ConflictKind(StrEnum):
    """Kinds of declared conflict of interest."""

    RELATIVE = "近亲属"
    TEACHER_STUDENT = "师生"
    COLLEAGUE = "同事"


class Conflict(Frozen):
    """A declared conflict with exactly one organisation or one person."""

    kind: ConflictKind
    organisation_id: str | None = None
    person_id: str | None = None

    @model_validator(mode="after")
    def _one_party(self) -> Conflict:
        if (self.organisation_id is None) == (self.person_id is None):
            raise ValueError("a conflict names exactly one organisation or one person")
        return self


class Assignment(Frozen):
    """A past or planned supervision of an organisation on a date."""

    organisation_id: str
    date: dt.date


class Supervisor(Frozen):
    """One member of the pool as the draw saw them."""

    id: str
    region_code: RegionCode = _REGION
    organisation_id: str | None
    active: bool
    qualification_number: str | None
    conflicts: tuple[Conflict, ...] = ()
    recent_assignments: tuple[Assignment, ...] = ()

    @field_validator("conflicts")
    @classmethod
    def _sort_conflicts(cls, v: tuple[Conflict, ...]) -> tuple[Conflict, ...]:
        return tuple(sorted(v, key=lambda c: (c.kind, c.organisation_id or "", c.person_id or "")))

    @field_validator("recent_assignments")
    @classmethod
    def _sort_assignments(cls, v: tuple[Assignment, ...]) -> tuple[Assignment, ...]:
        return tuple(sorted(v, key=lambda a: (a.date, a.organisation_id)))


class BatchRef(Frozen):
    """The batch a draw is for."""

    id: str
    organisation_id: str
    date: dt.date
    person_ids: tuple[str, ...] = ()

    @field_validator("person_ids")
    @classmethod
    def _sort_people(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted(set(v)))


class PoolSnapshot(Snapshot):
    """The whole input of a supervisor draw, published in canonical JSON."""

    version: Literal[1] = 1
    kind: Literal["supervisors"] = "supervisors"
    pool_region: RegionCode = _REGION
    batch: BatchRef
    supervisors_needed: int = Field(ge=1)
    recusal_window_days: int = Field(ge=0)
    supervisors: tuple[Supervisor, ...]

    @field_validator("supervisors")
    @classmethod
    def _sorted_unique(cls, v: tuple[Supervisor, ...]) -> tuple[Supervisor, ...]:
        if len({s.id for s in v}) != len(v):
            raise ValueError("supervisor ids must be unique")
        return tuple(sorted(v, key=lambda s: s.id))


class RecusalFilter(StrEnum):
    """Why a supervisor was left out of a draw."""

    INACTIVE = "inactive"
    UNQUALIFIED = "unqualified"
    OUTSIDE_REGION = "outside_region"
    SAME_ORGANISATION = "same_organisation"
    DECLARED_CONFLICT = "declared_conflict"
    RECENT_ASSIGNMENT = "recent_assignment"


FILTER_LABELS: Mapping[RecusalFilter, str] = {
    RecusalFilter.INACTIVE: "未在岗 / inactive",
    RecusalFilter.UNQUALIFIED: "无资格证号 / no qualification number",
    RecusalFilter.OUTSIDE_REGION: "不在本地区督导员库 / outside the pool's region",
    RecusalFilter.SAME_ORGANISATION: "与认定机构同单位 / same organisation",
    RecusalFilter.DECLARED_CONFLICT: "申报的利害关系 / declared conflict of interest",
    RecusalFilter.RECENT_ASSIGNMENT: "近期督导过该机构 / recently assigned to this organisation",
}


def region_contains(outer: RegionCode, inner: RegionCode) -> bool:
    """``inner`` lies within ``outer`` (province, city or district code, GB/T 2260)."""
    prefix = outer[:2] if outer.endswith("0000") else outer[:4] if outer.endswith("00") else outer
    return inner.startswith(prefix)


def _conflicted(s: Supervisor, p: PoolSnapshot) -> bool:
    people = set(p.batch.person_ids)
    return any(c.organisation_id == p.batch.organisation_id or c.person_id in people
               for c in s.conflicts)


def _recent(s: Supervisor, p: PoolSnapshot) -> bool:
    return any(a.organisation_id == p.batch.organisation_id
               and abs((a.date - p.batch.date).days) <= p.recusal_window_days
               for a in s.recent_assignments)


_CHECKS: Mapping[RecusalFilter, Callable[[Supervisor, PoolSnapshot], bool]] = {
    RecusalFilter.INACTIVE: lambda s, p: not s.active,
    RecusalFilter.UNQUALIFIED: lambda s, p: not (s.qualification_number or "").strip(),
    RecusalFilter.OUTSIDE_REGION: lambda s, p: not region_contains(p.pool_region, s.region_code),
    RecusalFilter.SAME_ORGANISATION: lambda s, p: s.organisation_id == p.batch.organisation_id,
    RecusalFilter.DECLARED_CONFLICT: _conflicted,
    RecusalFilter.RECENT_ASSIGNMENT: _recent,
}


@dataclass(frozen=True)
class Screening:
    """The pool split into eligible ids and recused ids with every filter that matched."""

    eligible: tuple[str, ...]
    recused: Mapping[str, tuple[RecusalFilter, ...]]

    def removed_by(self) -> dict[RecusalFilter, int]:
        """How many supervisors each filter matched (filters matching nobody left out)."""
        counts = {f: sum(f in fs for fs in self.recused.values()) for f in RecusalFilter}
        return {f: n for f, n in counts.items() if n}


def screen(snapshot: PoolSnapshot) -> Screening:
    """Apply every recusal filter to every supervisor of the snapshot."""
    eligible, recused = [], {}
    for s in snapshot.supervisors:
        matched = tuple(f for f, check in _CHECKS.items() if check(s, snapshot))
        if matched:
            recused[s.id] = matched
        else:
            eligible.append(s.id)
    return Screening(tuple(eligible), recused)


class PoolTooSmallError(ValueError):
    """Fewer eligible supervisors than the draw needs, with what each filter removed."""

    def __init__(self, needed: int, eligible: int, removed_by: Mapping[RecusalFilter, int]):
        self.needed, self.eligible, self.removed_by = needed, eligible, dict(removed_by)
        removed = "；".join(f"{FILTER_LABELS[f]} {n}" for f, n in self.removed_by.items())
        super().__init__(f"回避后督导员不足 / too few supervisors after recusal: "
                         f"{eligible} eligible, {needed} needed; removed: {removed or 'none'}")


class EmptyPoolError(PoolTooSmallError):
    """No supervisor is left after recusal."""
