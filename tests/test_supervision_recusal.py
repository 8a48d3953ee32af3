"""Recusal filters, the pool snapshot's canonical form and GB/T 2260 region containment."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError
from support.supervision_pool import BATCH_DAY, BATCH_ORG, pool, supervisor

from proctor.supervision.recusal import (
    Assignment,
    Conflict,
    ConflictKind,
    RecusalFilter,
    region_contains,
    screen,
)

F = RecusalFilter


def near(days: int, org: str = BATCH_ORG) -> tuple[Assignment, ...]:
    return (Assignment(organisation_id=org, date=BATCH_DAY + dt.timedelta(days=days)),)


ALONE: list[tuple[dict[str, Any], RecusalFilter]] = [
    ({"active": False}, F.INACTIVE),
    ({"qualification_number": None}, F.UNQUALIFIED),
    ({"qualification_number": "  "}, F.UNQUALIFIED),
    ({"region_code": "350102"}, F.OUTSIDE_REGION),  # 福州 鼓楼区
    ({"organisation_id": BATCH_ORG}, F.SAME_ORGANISATION),
    ({"conflicts": (Conflict(kind=ConflictKind.COLLEAGUE, organisation_id=BATCH_ORG),)},
     F.DECLARED_CONFLICT),
    ({"conflicts": (Conflict(kind=ConflictKind.RELATIVE, person_id="p-candidate"),)},
     F.DECLARED_CONFLICT),
    ({"conflicts": (Conflict(kind=ConflictKind.TEACHER_STUDENT, person_id="p-examiner"),)},
     F.DECLARED_CONFLICT),
    ({"recent_assignments": near(-30)}, F.RECENT_ASSIGNMENT),
    ({"recent_assignments": near(0)}, F.RECENT_ASSIGNMENT),
    ({"recent_assignments": near(12)}, F.RECENT_ASSIGNMENT),
]


def test_every_filter_is_exercised() -> None:
    assert {f for _, f in ALONE} == set(RecusalFilter)


@pytest.mark.parametrize(("changes", "expected"), ALONE)
def test_each_filter_alone(changes: dict[str, Any], expected: RecusalFilter) -> None:
    screening = screen(pool([supervisor("s00", **changes), supervisor("s01")]))
    assert screening.recused == {"s00": (expected,)}
    assert screening.eligible == ("s01",)
    assert screening.removed_by() == {expected: 1}


@pytest.mark.parametrize("changes", [
    {"recent_assignments": near(-31)},
    {"recent_assignments": near(31)},
    {"recent_assignments": near(0, org="org-elsewhere")},
    {"conflicts": (Conflict(kind=ConflictKind.COLLEAGUE, organisation_id="org-elsewhere"),)},
    {"conflicts": (Conflict(kind=ConflictKind.RELATIVE, person_id="p-stranger"),)},
    {"region_code": "350206"},
    {"organisation_id": None},
])
def test_near_misses_stay_eligible(changes: dict[str, Any]) -> None:
    assert screen(pool([supervisor("s00", **changes)])).eligible == ("s00",)


def test_a_zero_day_window_still_recuses_the_same_day() -> None:
    snap = pool([supervisor("s00", recent_assignments=near(0)),
                 supervisor("s01", recent_assignments=near(1))], window=0)
    assert screen(snap).recused == {"s00": (F.RECENT_ASSIGNMENT,)}


def test_every_matching_filter_is_recorded_and_counted() -> None:
    snap = pool([supervisor("s00", active=False, organisation_id=BATCH_ORG),
                 supervisor("s01", active=False), supervisor("s02")])
    screening = screen(snap)
    assert screening.recused == {"s00": (F.INACTIVE, F.SAME_ORGANISATION), "s01": (F.INACTIVE,)}
    assert screening.removed_by() == {F.INACTIVE: 2, F.SAME_ORGANISATION: 1}


@pytest.mark.parametrize(("outer", "inner", "inside"), [
    ("350000", "350203", True), ("350000", "110101", False),
    ("350200", "350203", True), ("350200", "350200", True), ("350200", "350102", False),
    ("350203", "350203", True), ("350203", "350206", False),
    ("110110", "110111", False),
])
def test_region_containment(outer: str, inner: str, inside: bool) -> None:
    assert region_contains(outer, inner) is inside


def test_a_conflict_names_exactly_one_party() -> None:
    with pytest.raises(ValidationError):
        Conflict(kind=ConflictKind.COLLEAGUE)
    with pytest.raises(ValidationError):
        Conflict(kind=ConflictKind.COLLEAGUE, organisation_id="o", person_id="p")


def test_region_codes_are_six_digits() -> None:
    with pytest.raises(ValidationError):
        supervisor("s00", region_code="3502")


def test_snapshot_is_canonical_whatever_the_input_order() -> None:
    conflicts = (Conflict(kind=ConflictKind.RELATIVE, person_id="b"),
                 Conflict(kind=ConflictKind.COLLEAGUE, organisation_id="a"))
    a = pool([supervisor("s01", conflicts=conflicts), supervisor("s00")],
             person_ids=("y", "x"))
    b = pool([supervisor("s00"), supervisor("s01", conflicts=conflicts[::-1])],
             person_ids=("x", "y", "x"))
    assert a.canonical() == b.canonical() and a.sha256() == b.sha256()
    assert [s.id for s in a.supervisors] == ["s00", "s01"]


def test_duplicate_supervisors_and_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        pool([supervisor("s00"), supervisor("s00")])
    with pytest.raises(ValidationError):
        supervisor("s00", nickname="x")
