"""A draw checked from its published data alone: the snapshot file's ``kind`` picks the
supervisor or the inspection check, and every way the published data disagrees is reported
(bilingual), never raised."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from support.supervision_pool import pool

from proctor.supervision.draw import draw_supervisors
from proctor.supervision.inspection import CandidateBatch, InspectionSnapshot, draw_inspections
from proctor.supervision.published_draw import verify_published
from proctor.supervision.selection import commitment

SEED = "5e" * 32
OTHER_SEED = "a1" * 32


def supervisors_published() -> tuple[bytes, str, tuple[str, ...]]:
    """The snapshot file, its hash and the selection of a supervisor draw with ``SEED``."""
    snapshot = pool(6, needed=2)
    draw = draw_supervisors(snapshot, SEED)
    return snapshot.canonical(), snapshot.sha256(), draw.selected


def inspection_published() -> tuple[bytes, str, tuple[str, ...]]:
    snapshot = InspectionSnapshot(period="2026-12", on_site=1, replay=2, batches=tuple(
        CandidateBatch(id=f"b{n}", organisation_id=f"org{n % 3}", date=dt.date(2026, 12, n))
        for n in range(1, 9)))
    draw = draw_inspections(snapshot, SEED)
    return snapshot.canonical(), snapshot.sha256(), draw.selected


@pytest.mark.parametrize("published", [supervisors_published, inspection_published],
                         ids=["supervisors", "inspection"])
def test_a_faithful_publication_holds(
        published: Callable[[], tuple[bytes, str, tuple[str, ...]]]) -> None:
    snapshot, digest, selected = published()
    assert verify_published(snapshot, digest, SEED, commitment(SEED), selected).ok


def test_the_inspection_split_follows_the_selection_order() -> None:
    snapshot, digest, selected = inspection_published()
    swapped = (selected[1], selected[0], *selected[2:])
    problems = verify_published(snapshot, digest, SEED, commitment(SEED), swapped).problems
    assert any(p.startswith("抽取结果不符 / selection differs") for p in problems)
    assert "记录字段 on_site 不符 / recorded field on_site differs" in problems


def test_another_seed_fails_against_the_published_commitment() -> None:
    snapshot, digest, selected = supervisors_published()
    problems = verify_published(snapshot, digest, OTHER_SEED, commitment(SEED),
                                selected).problems
    assert problems[0] == "种子与公布的承诺值不符 / seed does not match the published commitment"


def test_a_stored_commitment_other_than_the_published_one_is_reported() -> None:
    snapshot, digest, selected = supervisors_published()
    problems = verify_published(snapshot, digest, SEED, commitment(SEED), selected,
                                recorded_commitment=commitment(OTHER_SEED)).problems
    assert problems == ("记录的承诺值与公布的不同 / the result records another commitment",)


def test_a_snapshot_edited_after_publication_does_not_pass() -> None:
    snapshot, digest, selected = supervisors_published()
    edited = pool(7, needed=2).canonical()
    problems = verify_published(edited, digest, SEED, commitment(SEED), selected).problems
    assert "名单快照与记录的哈希不符 / snapshot differs from the one recorded" in problems


def test_a_malformed_seed_is_one_clear_problem() -> None:
    snapshot, digest, selected = supervisors_published()
    assert verify_published(snapshot, digest, SEED.upper(), commitment(SEED),
                            selected).problems == (
        "种子格式错误 / seed is not 64 lowercase hex digits",)


@pytest.mark.parametrize(("snapshot", "kind"), [
    (b"not json", "None"), (b"\xff\xfe", "None"), (b"[1, 2]", "None"), (b'{"kind": 3}', "None"),
    (b'{"kind": "lottery"}', "'lottery'"),
])
def test_a_file_of_no_known_kind_is_reported_with_its_kind(snapshot: bytes, kind: str) -> None:
    assert verify_published(snapshot, "0" * 64, SEED, commitment(SEED), ()).problems == (
        "快照无法解析 / the snapshot is not the JSON of a supervisor or inspection draw "
        f"(kind {kind})",)


@pytest.mark.parametrize("snapshot", [b'{"kind": "supervisors"}',
                                      b'{"kind": "inspection", "period": ""}'])
def test_a_snapshot_of_a_known_kind_that_does_not_parse_says_why(snapshot: bytes) -> None:
    (problem,) = verify_published(snapshot, "0" * 64, SEED, commitment(SEED), ()).problems
    assert problem.startswith("快照无法解析 / the snapshot does not parse: ")
    assert "error(s), first: " in problem
