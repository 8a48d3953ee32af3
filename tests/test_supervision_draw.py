"""The supervisor draw: recusal errors, verification of every input, and fairness."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from scipy.stats import chisquare
from support.supervision_pool import BATCH_ORG, pool, supervisor

from proctor.supervision.draw import SupervisorDraw, draw_supervisors, verify_draw
from proctor.supervision.recusal import (
    FILTER_LABELS,
    EmptyPoolError,
    PoolSnapshot,
    PoolTooSmallError,
    RecusalFilter,
)
from proctor.supervision.selection import commitment, new_seed, select


def seed_of(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


SEED = seed_of("draw")
MIXED = pool([supervisor("s00", active=False), supervisor("s01", organisation_id=BATCH_ORG),
              *(supervisor(f"s{i:02d}") for i in range(2, 12))], needed=3)


def test_draws_n_distinct_eligible_supervisors_reproducibly() -> None:
    result = draw_supervisors(MIXED, SEED)
    assert len(result.selected) == 3 and len(set(result.selected)) == 3
    assert not set(result.selected) & {"s00", "s01"}
    assert result.recused == {"s00": (RecusalFilter.INACTIVE,),
                              "s01": (RecusalFilter.SAME_ORGANISATION,)}
    assert result.batch_id == "batch-1" and result.commitment == commitment(SEED)
    assert result.snapshot_sha256 == MIXED.sha256()
    assert result.selected == select(SEED, MIXED.sha256(), [f"s{i:02d}" for i in range(2, 12)], 3)
    assert draw_supervisors(MIXED, SEED) == result


def test_an_emptied_pool_names_the_filters_and_their_counts() -> None:
    snap = pool([supervisor("s00", active=False), supervisor("s01", active=False),
                 supervisor("s02", organisation_id=BATCH_ORG, qualification_number=None)])
    with pytest.raises(EmptyPoolError) as caught:
        draw_supervisors(snap, SEED)
    error = caught.value
    assert error.removed_by == {RecusalFilter.INACTIVE: 2, RecusalFilter.UNQUALIFIED: 1,
                                RecusalFilter.SAME_ORGANISATION: 1}
    assert (error.eligible, error.needed) == (0, 2)
    assert f"{FILTER_LABELS[RecusalFilter.INACTIVE]} 2" in str(error)
    assert RecusalFilter.RECENT_ASSIGNMENT.value not in str(error)


def test_too_few_is_an_error_but_not_an_empty_pool() -> None:
    snap = pool([supervisor("s00"), supervisor("s01", active=False)], needed=2)
    with pytest.raises(PoolTooSmallError) as caught:
        draw_supervisors(snap, SEED)
    assert not isinstance(caught.value, EmptyPoolError)
    assert (caught.value.eligible, caught.value.needed) == (1, 2)


def test_a_genuine_draw_verifies_from_the_model_and_from_published_json() -> None:
    result = draw_supervisors(MIXED, SEED)
    assert verify_draw(MIXED, SEED, commitment(SEED), result).ok
    assert verify_draw(MIXED.canonical(), SEED, commitment(SEED), result).ok
    stored = SupervisorDraw.model_validate_json(result.model_dump_json())
    assert verify_draw(MIXED.canonical().decode(), SEED, commitment(SEED), stored).ok


def problems(snapshot: PoolSnapshot | bytes, seed: str, published: str,
             result: SupervisorDraw) -> str:
    verification = verify_draw(snapshot, seed, published, result)
    assert not verification.ok
    return " | ".join(verification.problems)


def test_a_changed_seed_fails() -> None:
    result = draw_supervisors(MIXED, SEED)
    text = problems(MIXED, seed_of("another"), commitment(SEED), result)
    assert "seed does not match the published commitment" in text
    assert "selection differs" in text


def test_a_malformed_seed_or_another_commitment_fails() -> None:
    result = draw_supervisors(MIXED, SEED)
    assert "64 lowercase hex" in problems(MIXED, SEED.upper(), commitment(SEED), result)
    other = commitment(seed_of("another"))
    text = problems(MIXED, SEED, other, result)
    assert "published commitment" in text and "records another commitment" in text


def test_a_changed_snapshot_fails() -> None:
    result = draw_supervisors(MIXED, SEED)
    grown = pool([*MIXED.supervisors, supervisor("s99")], needed=3)
    assert "snapshot differs" in problems(grown, SEED, commitment(SEED), result)
    widened = MIXED.model_copy(update={"recusal_window_days": 31})
    assert "snapshot differs" in problems(widened, SEED, commitment(SEED), result)
    tampered = MIXED.canonical().replace(b'"s05"', b'"s5x"')
    assert "snapshot differs" in problems(tampered, SEED, commitment(SEED), result)


@pytest.mark.parametrize(("update", "expected"), [
    ({"selected": ("s00", "s01", "s02")}, "selection differs"),
    ({"batch_id": "batch-2"}, "field batch_id differs"),
    ({"recused": {"s00": (RecusalFilter.INACTIVE,)}}, "field recused differs"),
])
def test_a_changed_result_fails(update: dict[str, object], expected: str) -> None:
    forged = draw_supervisors(MIXED, SEED).model_copy(update=update)
    assert expected in problems(MIXED, SEED, commitment(SEED), forged)


def test_the_same_people_in_another_order_fail() -> None:
    genuine = draw_supervisors(MIXED, SEED)
    forged = genuine.model_copy(update={"selected": genuine.selected[::-1]})
    assert "selection differs" in problems(MIXED, SEED, commitment(SEED), forged)


def test_an_unparseable_or_emptied_snapshot_is_reported_not_raised() -> None:
    result = draw_supervisors(MIXED, SEED)
    assert "cannot recompute" in problems(b"{", SEED, commitment(SEED), result)
    emptied = pool([supervisor("s00", active=False)])
    assert "too few supervisors" in problems(emptied, SEED, commitment(SEED), result)


def test_every_eligible_supervisor_is_picked_uniformly() -> None:
    picks: Counter[str] = Counter()
    first: Counter[str] = Counter()
    for n in range(10_000):
        selected = draw_supervisors(MIXED, seed_of(f"fairness-{n}")).selected
        picks.update(selected)
        first[selected[0]] += 1
    eligible = [f"s{i:02d}" for i in range(2, 12)]
    assert set(picks) == set(eligible)
    counts = [picks[s] for s in eligible]
    assert sum(counts) == 30_000
    assert chisquare(counts).pvalue > 0.001
    assert chisquare([first[s] for s in eligible]).pvalue > 0.001
    # The same test rejects a 10 % preference for one supervisor.
    skewed = [counts[0] + 300, counts[1] - 300, *counts[2:]]
    assert chisquare(skewed).pvalue < 0.001


def test_fresh_seeds_give_fresh_draws() -> None:
    assert len({draw_supervisors(MIXED, new_seed()).selected for _ in range(20)}) > 1
