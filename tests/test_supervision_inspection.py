"""Random inspection samples (on site / replay) and the once-a-year coverage check."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from pydantic import ValidationError

from proctor.supervision.inspection import (
    CandidateBatch,
    Inspection,
    InspectionMode,
    InspectionSnapshot,
    draw_inspections,
    organisations_not_inspected,
    verify_inspections,
)
from proctor.supervision.selection import commitment, select

SEED = hashlib.sha256(b"inspection").hexdigest()
BATCHES = tuple(CandidateBatch(id=f"b{i:02d}", organisation_id=f"org{i % 4}",
                               date=dt.date(2026, 12, 1 + i)) for i in range(12))
SNAPSHOT = InspectionSnapshot(period="2026-12", on_site=2, replay=3, batches=BATCHES)


def test_the_sample_is_split_by_mode_in_draw_order() -> None:
    result = draw_inspections(SNAPSHOT, SEED)
    assert result.selected == select(SEED, SNAPSHOT.sha256(), [b.id for b in BATCHES], 5)
    assert result.on_site == result.selected[:2] and result.replay == result.selected[2:]
    assert len(set(result.selected)) == 5 and result.period == "2026-12"
    assert draw_inspections(SNAPSHOT, SEED) == result


def test_a_genuine_sample_verifies() -> None:
    result = draw_inspections(SNAPSHOT, SEED)
    assert verify_inspections(SNAPSHOT, SEED, commitment(SEED), result).ok
    assert verify_inspections(SNAPSHOT.canonical(), SEED, commitment(SEED), result).ok


def test_changed_seed_snapshot_or_result_fail() -> None:
    result = draw_inspections(SNAPSHOT, SEED)
    other_seed = hashlib.sha256(b"other").hexdigest()
    assert not verify_inspections(SNAPSHOT, other_seed, commitment(SEED), result).ok
    fewer = SNAPSHOT.model_copy(update={"batches": BATCHES[:-1]})
    assert not verify_inspections(fewer, SEED, commitment(SEED), result).ok
    moved = result.model_copy(update={"on_site": result.selected[:1],
                                      "replay": result.selected[1:]})
    problems = verify_inspections(SNAPSHOT, SEED, commitment(SEED), moved).problems
    assert problems == ("记录字段 on_site 不符 / recorded field on_site differs",
                        "记录字段 replay 不符 / recorded field replay differs")


def test_a_sample_larger_than_the_batches_is_refused() -> None:
    with pytest.raises(ValidationError):
        InspectionSnapshot(period="2026-12", on_site=10, replay=3, batches=BATCHES)
    with pytest.raises(ValidationError):
        InspectionSnapshot(period="2026-12", on_site=1, replay=0,
                           batches=(BATCHES[0], BATCHES[0]))


def test_batch_order_does_not_change_the_snapshot() -> None:
    reordered = InspectionSnapshot(period="2026-12", on_site=2, replay=3,
                                   batches=BATCHES[::-1])
    assert reordered.sha256() == SNAPSHOT.sha256()


def test_organisations_not_inspected_this_year() -> None:
    inspections = [
        Inspection("org-a", dt.date(2026, 3, 1), InspectionMode.ON_SITE),
        Inspection("org-b", dt.date(2026, 12, 31), InspectionMode.REPLAY),
        Inspection("org-c", dt.date(2025, 12, 31), InspectionMode.ON_SITE),
        Inspection("org-x", dt.date(2026, 5, 5), InspectionMode.ON_SITE),
    ]
    organisations = ["org-d", "org-c", "org-b", "org-a", "org-d"]
    assert organisations_not_inspected(2026, inspections, organisations) == ("org-c", "org-d")
    assert organisations_not_inspected(2025, inspections, organisations) == (
        "org-a", "org-b", "org-d")
    assert organisations_not_inspected(2026, [], []) == ()
