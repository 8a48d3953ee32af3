"""The selection primitives, checked against an independent reading of the module docs."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from proctor.supervision.selection import (
    RandomStream,
    Snapshot,
    canonical_json,
    commitment,
    is_seed,
    new_seed,
    select,
)

ZERO_SEED = "00" * 32
CONTEXT = hashlib.sha256(b"snapshot").hexdigest()


def auditor_select(seed: str, snapshot_sha256: str, ids: list[str], k: int) -> list[str]:
    """Re-implementation written from the docstring of ``selection``, sharing no code."""
    counter = 0

    def u64() -> int:
        nonlocal counter
        msg = bytes.fromhex(snapshot_sha256) + counter.to_bytes(8, "big")
        counter += 1
        return int.from_bytes(hmac.new(bytes.fromhex(seed), msg, hashlib.sha256).digest()[:8],
                              "big")

    def below(b: int) -> int:
        limit = 2**64 - (2**64 % b)
        while True:
            u = u64()
            if u < limit:
                return u % b

    items = sorted(ids)
    for j in range(k):
        r = j + below(len(items) - j)
        items[j], items[r] = items[r], items[j]
    return items[:k]


def test_commitment_is_sha256_of_the_raw_seed_bytes() -> None:
    assert commitment(ZERO_SEED) == (
        "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925")
    seed = new_seed()
    assert is_seed(seed) and commitment(seed) == hashlib.sha256(bytes.fromhex(seed)).hexdigest()


@pytest.mark.parametrize("bad", ["", "00" * 31, "AA" * 32, "zz" * 32, "00" * 33])
def test_malformed_seeds_are_refused(bad: str) -> None:
    assert not is_seed(bad)
    with pytest.raises(ValueError):
        commitment(bad)


def test_canonical_json_sorts_keys_without_spaces_or_escapes() -> None:
    value = {"b": [2, 1], "a": {"名称": "认定批次", "ok": True, "none": None}}
    assert canonical_json(value) == (
        '{"a":{"none":null,"ok":true,"名称":"认定批次"},"b":[2,1]}'.encode())
    assert json.loads(canonical_json(value)) == value


def test_snapshot_hash_is_sha256_of_its_canonical_bytes() -> None:
    class Tiny(Snapshot):
        name: str

    snap = Tiny(name="厦门")
    assert snap.canonical() == '{"name":"厦门"}'.encode()
    assert snap.sha256() == hashlib.sha256(snap.canonical()).hexdigest()


def test_rejection_sampling_discards_the_biased_tail(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = RandomStream(ZERO_SEED, CONTEXT)
    values = iter([2**64 - 1, 5])  # 2**64 mod 3 == 1, so the top value is rejected
    monkeypatch.setattr(stream, "next_u64", lambda: next(values))
    assert stream.below(3) == 2
    with pytest.raises(StopIteration):
        next(values)


def test_below_stays_in_range_and_refuses_empty_ranges() -> None:
    stream = RandomStream(ZERO_SEED, CONTEXT)
    assert {stream.below(1) for _ in range(20)} == {0}
    assert {stream.below(4) for _ in range(200)} == {0, 1, 2, 3}
    with pytest.raises(ValueError):
        stream.below(0)


@pytest.mark.parametrize("k", [0, 1, 3, 7])
def test_selection_matches_the_documented_algorithm(k: int) -> None:
    ids = [f"sup-{i:02d}" for i in range(7)]
    for n in range(20):
        seed = hashlib.sha256(f"seed-{n}".encode()).hexdigest()
        assert list(select(seed, CONTEXT, ids, k)) == auditor_select(seed, CONTEXT, ids, k)


def test_selection_ignores_input_order_and_depends_on_seed_and_snapshot() -> None:
    ids = [f"s{i}" for i in range(30)]
    seed, other = new_seed(), new_seed()
    picked = select(seed, CONTEXT, ids, 5)
    assert select(seed, CONTEXT, list(reversed(ids)), 5) == picked
    assert select(other, CONTEXT, ids, 5) != picked
    assert select(seed, hashlib.sha256(b"other").hexdigest(), ids, 5) != picked
    assert len(set(picked)) == 5 and set(picked) <= set(ids)


@pytest.mark.parametrize(("ids", "k"), [(["a", "a"], 1), (["a", "b"], 3), (["a"], -1)])
def test_selection_refuses_bad_requests(ids: list[str], k: int) -> None:
    with pytest.raises(ValueError):
        select(ZERO_SEED, CONTEXT, ids, k)


def test_the_worked_example_in_the_docs() -> None:
    """docs/supervision.md gives this vector so auditors can check their implementation."""
    context = "16a0eeb0791b6c92451fd284dd9f599e0a7dbe7f6ebea6e2d2d06c7f74aec112"
    assert hashlib.sha256(b"snapshot").hexdigest() == context
    stream = RandomStream(ZERO_SEED, context)
    assert [stream.next_u64() for _ in range(3)] == [
        4791777414489273876, 16320458439678947850, 15751335943678733523]
    assert select(ZERO_SEED, context, ["e", "d", "c", "b", "a"], 3) == ("b", "d", "c")
