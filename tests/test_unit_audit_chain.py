"""The audit log's hash chain as pure functions: the canonical form a verifier recomputes, the
noted head's text form, and which problem each kind of tampering gives, at which entry."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proctor.audit_chain import (
    GENESIS,
    ChainHead,
    ChainProblem,
    ProblemKind,
    canonical_json,
    canonical_time,
    entry_hash,
    find_problems,
)

START = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@dataclasses.dataclass(frozen=True)
class Entry:
    """An audit row as the chain sees it."""

    id: int
    seq: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: Mapping[str, object]
    prev_hash: str
    chain_hash: str = ""


def sealed(entry: Entry) -> Entry:
    """``entry`` with its own hash recomputed from its fields."""
    return dataclasses.replace(entry, chain_hash=entry_hash(entry))


def chain(count: int) -> list[Entry]:
    """``count`` well-linked entries, seq 1..count."""
    entries: list[Entry] = []
    prev = GENESIS
    for n in range(1, count + 1):
        entry = sealed(Entry(n, n, START + timedelta(seconds=n), "user:1", "test.step",
                             f"step:{n}", {"n": n, "note": f"第{n}步"}, prev))
        entries.append(entry)
        prev = entry.chain_hash
    return entries


def relink(entries: list[Entry]) -> list[Entry]:
    """``entries`` renumbered and re-hashed as a forger with the rows would do."""
    out: list[Entry] = []
    prev = GENESIS
    for entry in entries:
        out.append(sealed(dataclasses.replace(entry, prev_hash=prev)))
        prev = out[-1].chain_hash
    return out


def kinds(problems: list[ChainProblem]) -> list[tuple[ProblemKind, int]]:
    return [(p.kind, p.seq) for p in problems]


def test_the_hash_is_sha256_of_the_documented_canonical_json() -> None:
    """What the module docstring tells a verifier to recompute, byte for byte."""
    entry = chain(1)[0]
    text = ('{"action":"test.step","actor":"user:1","at":"2026-11-30T08:00:01.000000Z",'
            '"detail":{"n":1,"note":"第1步"},"prev_hash":"' + GENESIS + '","seq":1,'
            '"target":"step:1"}')
    assert entry.chain_hash == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_canonical_time_is_utc_with_microseconds_whatever_the_zone() -> None:
    beijing = timezone(timedelta(hours=8))
    assert canonical_time(datetime(2026, 11, 30, 16, 0, 0, 5, tzinfo=beijing)) == \
        "2026-11-30T08:00:00.000005Z"


def test_canonical_json_refuses_what_json_cannot_carry() -> None:
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})
    with pytest.raises(TypeError):
        canonical_json({"at": START})


@given(st.dictionaries(st.text(), st.integers() | st.text() | st.booleans() | st.none()))
def test_canonical_json_does_not_depend_on_key_order(detail: dict[str, object]) -> None:
    reordered = dict(reversed(list(detail.items())))
    assert canonical_json(reordered) == canonical_json(detail)
    assert json.loads(canonical_json(detail)) == detail


def test_every_field_changes_the_hash() -> None:
    entry = chain(1)[0]
    changes: dict[str, object] = {
        "seq": 2, "at": entry.at + timedelta(microseconds=1), "actor": "user:2",
        "action": "test.other", "target": "step:2", "detail": {"n": 2, "note": "第1步"},
        "prev_hash": "1" * 64}
    hashes = {entry_hash(dataclasses.replace(entry, **{name: value}))  # type: ignore[arg-type]
              for name, value in changes.items()}
    assert entry.chain_hash not in hashes
    assert len(hashes) == len(changes)


def test_the_row_id_is_not_hashed() -> None:
    """Rows may be copied to another database under new ids and still verify."""
    entry = chain(1)[0]
    assert entry_hash(dataclasses.replace(entry, id=99)) == entry.chain_hash


@given(st.integers(0, 10**12), st.text(alphabet="0123456789abcdef", min_size=64, max_size=64))
def test_a_head_survives_its_text_form(seq: int, digest: str) -> None:
    head = ChainHead(seq, digest)
    assert ChainHead.parse(str(head)) == head


@pytest.mark.parametrize("text", [
    "", "12", "12:", ":" + "a" * 64, "-1:" + "a" * 64, "1:" + "a" * 63, "1:" + "a" * 65,
    "1:" + "A" * 64, "1:" + "g" * 64, "x:" + "a" * 64, "1 :" + "a" * 64,
])
def test_a_malformed_head_is_refused_with_the_expected_form(text: str) -> None:
    with pytest.raises(ValueError, match=r"not a chain head \(SEQ:SHA256\)"):
        ChainHead.parse(text)


def test_an_empty_and_an_intact_chain_hold() -> None:
    assert find_problems([]) == []
    entries = chain(5)
    assert find_problems(entries) == []
    assert find_problems(entries, ChainHead(3, entries[2].chain_hash)) == []
    assert find_problems(entries, ChainHead(0, GENESIS)) == []


def test_a_changed_entry_is_altered_at_its_own_seq_only() -> None:
    entries = chain(5)
    entries[2] = dataclasses.replace(entries[2], detail={"n": 3, "note": "改过"})
    problems = find_problems(entries)
    assert kinds(problems) == [(ProblemKind.ALTERED, 3)]
    assert str(problems[0]) == "entry 3: (id 3) does not match its hash (the entry was changed)"


def test_a_removed_entry_names_the_missing_numbers_and_the_broken_link() -> None:
    entries = chain(6)
    del entries[2:4]
    problems = find_problems(entries)
    assert kinds(problems) == [(ProblemKind.SEQUENCE, 5), (ProblemKind.LINK, 5)]
    assert "entries 3–4 are missing (removed)" in problems[0].reason


def test_a_reordered_pair_is_found_at_the_first_moved_entry() -> None:
    entries = chain(4)
    entries[1], entries[2] = entries[2], entries[1]
    problems = find_problems(entries)
    assert problems[:2] == [
        ChainProblem(ProblemKind.SEQUENCE, 3, "(id 3) entries 2–2 are missing (removed)"),
        ChainProblem(ProblemKind.LINK, 3, "(id 3) does not link to entry 1 (an entry was "
                                          "removed, inserted or reordered)")]
    assert (ProblemKind.SEQUENCE, 2) in kinds(problems)
    assert "numbered 2 after 3 (inserted)" in str(problems[2])


def test_an_inserted_entry_with_a_correct_own_hash_is_still_found() -> None:
    entries = chain(3)
    forged = sealed(dataclasses.replace(entries[1], id=10, target="step:forged",
                                        prev_hash=entries[1].chain_hash))
    problems = find_problems([*entries[:2], forged, entries[2]])
    assert (ProblemKind.SEQUENCE, 2) in kinds(problems)
    assert (ProblemKind.LINK, 3) in kinds(problems)
    assert all(p.kind is not ProblemKind.ALTERED for p in problems)


def test_a_recomputed_chain_holds_alone_but_not_against_a_noted_head() -> None:
    """Removing the newest entries, or rewriting and re-hashing the whole log, leaves a
    chain that holds: only a head noted outside the database shows it."""
    entries = chain(5)
    noted = ChainHead(5, entries[4].chain_hash)
    truncated = entries[:3]
    assert find_problems(truncated) == []
    assert kinds(find_problems(truncated, noted)) == [(ProblemKind.HEAD, 5)]
    rewritten = relink([dataclasses.replace(e, actor="user:2") for e in entries])
    assert find_problems(rewritten) == []
    problems = find_problems(rewritten, noted)
    assert kinds(problems) == [(ProblemKind.HEAD, 5)]
    assert f"the noted head {noted} is not in the chain" in problems[0].reason


def test_a_head_beyond_the_chain_or_of_the_genesis_is_checked_by_number() -> None:
    entries = chain(2)
    assert kinds(find_problems(entries, ChainHead(7, entries[1].chain_hash))) == \
        [(ProblemKind.HEAD, 7)]
    assert kinds(find_problems(entries, ChainHead(0, "f" * 64))) == []


@given(st.integers(1, 8), st.data())
def test_any_single_altered_detail_is_found_at_that_entry(count: int, data: st.DataObject) -> None:
    entries = chain(count)
    index = data.draw(st.integers(0, count - 1))
    note = data.draw(st.text().filter(lambda t: t != f"第{index + 1}步"))
    entries[index] = dataclasses.replace(entries[index], detail={"n": index + 1, "note": note})
    assert kinds(find_problems(entries)) == [(ProblemKind.ALTERED, index + 1)]
