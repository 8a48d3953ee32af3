"""The per-camera hash chain: every link recomputes from the record's own fields, and any
removed, reordered or altered record is found at the first place the chain stops holding."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator

import pytest

from proctor.recording.chain import GENESIS, ChainRecord, first_break, link_hash


def build_chain(count: int, camera_id: int = 7, start: str = GENESIS) -> list[ChainRecord]:
    """``count`` well-linked records of 10 s segments, as the server writes them."""
    records: list[ChainRecord] = []
    prev = start
    for index in range(count):
        start_ms = 1_795_000_000_000 + index * 10_000
        sha256 = hashlib.sha256(f"segment {index}".encode()).hexdigest()
        key, version = f"cameras/{camera_id}/{index}.ts", f"v{index}"
        chain_hash = link_hash(prev, camera_id, start_ms, start_ms + 10_000, sha256, key, version)
        records.append(ChainRecord(camera_id, start_ms, start_ms + 10_000, sha256, key, version,
                                   prev, chain_hash))
        prev = chain_hash
    return records


def relinked(record: ChainRecord) -> ChainRecord:
    """``record`` with its chain hash recomputed from its (possibly changed) fields."""
    return dataclasses.replace(record, chain_hash=link_hash(
        record.prev_hash, record.camera_id, record.start_ms, record.end_ms, record.sha256,
        record.object_key, record.version_id))


def test_link_is_sha256_of_the_documented_canonical_form() -> None:
    """The README of an evidence package tells a verifier to recompute exactly this."""
    expected = hashlib.sha256(b"0" * 64 + b"|3|1000|2000|" + b"ab" * 32 + b"|k|v").hexdigest()
    assert link_hash(GENESIS, 3, 1000, 2000, "ab" * 32, "k", "v") == expected


def test_every_field_changes_the_link() -> None:
    base = (GENESIS, 3, 1000, 2000, "ab" * 32, "key", "v1")
    others = [("1" * 64,), (4,), (1001,), (2001,), ("cd" * 32,), ("key2",), ("v2",)]
    hashes = {link_hash(*base)}
    for position, (replacement,) in enumerate(others):
        changed = list(base)
        changed[position] = replacement
        hashes.add(link_hash(*changed))  # type: ignore[arg-type]
    assert len(hashes) == len(others) + 1


def test_separators_keep_fields_apart() -> None:
    """Moving a character across a field boundary gives another hash."""
    g = GENESIS
    assert link_hash(g, 1, 12, 3, "s", "k", "v") != link_hash(g, 11, 2, 3, "s", "k", "v")
    assert link_hash(g, 1, 2, 3, "s", "ab", "c") != link_hash(g, 1, 2, 3, "s", "a", "bc")


@pytest.mark.parametrize("count", [0, 1, 50])
def test_an_intact_chain_has_no_break(count: int) -> None:
    assert first_break(build_chain(count)) is None


def test_a_chain_continues_from_a_known_hash() -> None:
    earlier = build_chain(3)
    later = build_chain(2, start=earlier[-1].chain_hash)
    assert first_break(later, expected_prev=earlier[-1].chain_hash) is None
    broken = first_break(later)  # checked as if it started the camera's chain
    assert broken is not None and broken.index == 0 and "removed or reordered" in broken.reason


def test_a_removed_record_is_found_where_it_was() -> None:
    records = build_chain(5)
    del records[2]
    broken = first_break(records)
    assert broken is not None
    assert (broken.index, broken.start_ms) == (2, records[2].start_ms)
    assert "removed or reordered" in broken.reason


def test_swapped_records_are_found() -> None:
    records = build_chain(4)
    records[1], records[2] = records[2], records[1]
    broken = first_break(records)
    assert broken is not None and broken.index == 1


@pytest.mark.parametrize("field, value", [
    ("end_ms", 1), ("sha256", "f" * 64), ("object_key", "cameras/7/other.ts"),
    ("version_id", "v-restored"), ("camera_id", 8), ("start_ms", -1),
])
def test_an_altered_record_is_found(field: str, value: object) -> None:
    records = build_chain(4)
    records[3] = dataclasses.replace(records[3], **{field: value})
    broken = first_break(records)
    assert broken is not None and broken.index == 3 and "altered" in broken.reason


def test_a_forged_record_with_recomputed_hash_breaks_the_next_link() -> None:
    """Rewriting one record consistently still breaks its successor's prev_hash."""
    records = build_chain(3)
    forged = relinked(dataclasses.replace(records[1], sha256="e" * 64))
    broken = first_break([records[0], forged, records[2]])
    assert broken is not None and broken.index == 2


def test_huge_numbers_and_non_ascii_keys_chain_and_verify() -> None:
    huge = 10**40
    record = relinked(ChainRecord(huge, -huge, huge, "ab" * 32, "摄像头/考场 204.ts", "",
                                  GENESIS, ""))
    assert len(record.chain_hash) == 64
    assert first_break([record]) is None
    assert first_break([dataclasses.replace(record, start_ms=-huge + 1)]) is not None


def test_first_break_reads_records_lazily_and_stops_at_the_break() -> None:
    records = build_chain(3)
    records[0] = dataclasses.replace(records[0], prev_hash="1" * 64)
    consumed: list[int] = []

    def stream() -> Iterator[ChainRecord]:
        for index, record in enumerate(records):
            consumed.append(index)
            yield record

    assert first_break(stream()) is not None
    assert consumed == [0]
