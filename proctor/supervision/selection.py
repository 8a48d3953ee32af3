"""Verifiable random selection: commit–reveal seeds, canonical snapshots, an unbiased shuffle.

Used by both 双随机 draws (supervisors for a batch, batches to inspect). Everything below is
the specification an outside auditor needs to recompute a draw.

**Seed and commitment.** The seed is 32 bytes from the OS CSPRNG, written as 64 lowercase
hex digits. Its commitment is ``SHA-256(seed bytes)`` (of the 32 raw bytes, not of the hex
text), in lowercase hex. The commitment is written to the audit log *before* the draw, the
seed only after it, so the seed cannot be chosen after the fact.

**Canonical snapshot.** A snapshot (the draw's whole input) is serialised as JSON with keys
sorted, no whitespace (separators ``,`` and ``:``), UTF-8 without ``\\u`` escapes of non-ASCII
(Python: ``json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``). It
holds only strings, integers, booleans, null, lists and objects; dates are ``YYYY-MM-DD``
strings and lists are sorted (see each snapshot model). ``snapshot_sha256`` is the SHA-256 of
those bytes, in lowercase hex.

**Random stream.** Block ``i`` (``i = 0, 1, 2, …``) is
``HMAC-SHA256(key = seed bytes, message = snapshot_sha256 as 32 raw bytes || i as 8-byte
big-endian)``; its first 8 bytes, big-endian, are the unsigned 64-bit number ``u_i``. Each
number is used once, in order.

**Uniform integer below b** (``b ≥ 1``): ``limit = 2**64 - (2**64 mod b)``; take the next
``u``; if ``u < limit`` return ``u mod b``, else take the next ``u`` (rejection sampling, so
no value is favoured: no modulo bias).

**Selection of k from a list of ids** (partial Fisher–Yates, Durstenfeld): sort the ids by
Unicode code point (duplicates are an error); for ``j = 0 … k-1``: ``r = j + below(n - j)``,
swap positions ``j`` and ``r``. The result is the first ``k`` ids, in that order.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

SEED_BYTES = 32
_HEX64 = re.compile(r"[0-9a-f]{64}")
_TWO64 = 2**64


def new_seed() -> str:
    """A fresh seed from the OS CSPRNG, as 64 lowercase hex digits."""
    return secrets.token_hex(SEED_BYTES)


def is_seed(seed: str) -> bool:
    """``seed`` is well formed: exactly 64 lowercase hex digits."""
    return _HEX64.fullmatch(seed) is not None


def commitment(seed: str) -> str:
    """The public commitment to ``seed``: SHA-256 of its 32 raw bytes, lowercase hex."""
    if not is_seed(seed):
        raise ValueError("a seed is 64 lowercase hex digits")
    return hashlib.sha256(bytes.fromhex(seed)).hexdigest()


def canonical_json(value: object) -> bytes:
    """The canonical JSON bytes of ``value`` (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
    return text.encode("utf-8")


class Frozen(BaseModel):
    """An immutable value model that refuses unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Snapshot(Frozen):
    """Base of draw inputs, hashable in canonical form."""

    def canonical(self) -> bytes:
        """The canonical JSON bytes that are published and hashed."""
        return canonical_json(self.model_dump(mode="json"))

    def sha256(self) -> str:
        """SHA-256 of :meth:`canonical`, lowercase hex."""
        return hashlib.sha256(self.canonical()).hexdigest()


class RandomStream:
    """The HMAC-SHA256 counter stream of one draw (see the module docs)."""

    def __init__(self, seed: str, snapshot_sha256: str) -> None:
        self._key = bytes.fromhex(seed)
        self._context = bytes.fromhex(snapshot_sha256)
        self._counter = 0

    def next_u64(self) -> int:
        """The next unsigned 64-bit number ``u_i``."""
        message = self._context + self._counter.to_bytes(8, "big")
        self._counter += 1
        return int.from_bytes(hmac.digest(self._key, message, "sha256")[:8], "big")

    def below(self, bound: int) -> int:
        """A uniform integer in ``[0, bound)``, by rejection sampling."""
        if bound < 1:
            raise ValueError("bound must be at least 1")
        limit = _TWO64 - _TWO64 % bound
        while (u := self.next_u64()) >= limit:
            pass
        return u % bound


def select(seed: str, snapshot_sha256: str, ids: Sequence[str], k: int) -> tuple[str, ...]:
    """Pick ``k`` of ``ids`` in draw order with a seeded partial Fisher–Yates shuffle."""
    items = sorted(ids)
    if len(set(items)) != len(items):
        raise ValueError("ids must be unique")
    if not 0 <= k <= len(items):
        raise ValueError(f"cannot select {k} of {len(items)}")
    stream = RandomStream(seed, snapshot_sha256)
    for j in range(k):
        r = j + stream.below(len(items) - j)
        items[j], items[r] = items[r], items[j]
    return tuple(items[:k])


class DrawRecord(Frozen):
    """What a draw records: the snapshot it used, the seed's commitment, and who was picked."""

    snapshot_sha256: str
    commitment: str
    selected: tuple[str, ...]


@dataclass(frozen=True)
class Verification:
    """The outcome of re-computing a draw: ``ok`` or every problem found."""

    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """The recorded draw is exactly what the seed and snapshot produce."""
        return not self.problems


def _compare(recorded: DrawRecord, recomputed: DrawRecord) -> list[str]:
    """Every field in which a recorded draw differs from its recomputation."""
    problems = []
    if recorded.snapshot_sha256 != recomputed.snapshot_sha256:
        problems.append("名单快照与记录的哈希不符 / snapshot differs from the one recorded")
    if recorded.selected != recomputed.selected:
        problems.append(f"抽取结果不符 / selection differs: recomputed "
                        f"{list(recomputed.selected)}, recorded {list(recorded.selected)}")
    for field in type(recorded).model_fields:
        if field not in ("snapshot_sha256", "selected", "commitment") and (
                getattr(recorded, field) != getattr(recomputed, field)):
            problems.append(f"记录字段 {field} 不符 / recorded field {field} differs")
    return problems


def _check_seed(seed: str, published: str, recorded: DrawRecord) -> list[str]:
    """Problems with the revealed seed against the published and recorded commitments."""
    problems = []
    if commitment(seed) != published:
        problems.append("种子与公布的承诺值不符 / seed does not match the published commitment")
    if recorded.commitment != published:
        problems.append("记录的承诺值与公布的不同 / the result records another commitment")
    return problems


S = TypeVar("S", bound=Snapshot)


def verify(model: type[S], draw: Callable[[S, str], DrawRecord], snapshot: S | str | bytes,
           seed: str, published_commitment: str, result: DrawRecord) -> Verification:
    """Recompute a draw with ``draw`` and list every way ``result`` differs from it.

    ``snapshot`` is the model or its published JSON; ``published_commitment`` is the value
    written to the audit log before the draw. A draw that cannot be recomputed (``draw``
    raises ``ValueError``) is a problem, not an exception.
    """
    if not is_seed(seed):
        return Verification(("种子格式错误 / seed is not 64 lowercase hex digits",))
    problems = _check_seed(seed, published_commitment, result)
    try:
        parsed = (model.model_validate_json(snapshot) if isinstance(snapshot, str | bytes)
                  else snapshot)
        recomputed = draw(parsed, seed)
    except ValueError as exc:
        return Verification((*problems, f"无法重算 / cannot recompute: {exc}"))
    return Verification((*problems, *_compare(result, recomputed)))
