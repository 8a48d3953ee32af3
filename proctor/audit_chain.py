"""The audit log's hash chain (pure functions, no I/O).

Entry ``n`` (``seq``, counting from 1 without gaps) stores the previous entry's hash and
its own: ``chain_hash = sha256(canonical JSON of {seq, at, actor, action, target, detail,
prev_hash})``, keys sorted, no spaces, UTF-8, ``at`` in UTC to the microsecond
(``2026-11-30T08:00:00.000000Z``). The first entry links to :data:`GENESIS`. Anyone
holding the rows can recompute every link with nothing but SHA-256 and JSON.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

GENESIS = "0" * 64


class ChainFields(Protocol):
    """What the hash of an entry covers."""

    @property
    def seq(self) -> int: ...
    @property
    def at(self) -> datetime: ...
    @property
    def actor(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def detail(self) -> Mapping[str, object]: ...
    @property
    def prev_hash(self) -> str: ...


class ChainedEntry(ChainFields, Protocol):
    """A stored entry: its fields, its row id and its hash."""

    @property
    def id(self) -> int: ...
    @property
    def chain_hash(self) -> str: ...


@dataclass(frozen=True)
class ChainHead:
    """The newest entry's number and hash; ``(0, GENESIS)`` for an empty log."""

    seq: int
    chain_hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.chain_hash}"

    @classmethod
    def parse(cls, text: str) -> ChainHead:
        """A head noted as ``SEQ:HASH`` (what ``proctor admin audit head`` prints)."""
        seq, _, digest = text.partition(":")
        if not seq.isdecimal() or len(digest) != 64 or digest.strip("0123456789abcdef"):
            raise ValueError(f"not a chain head (SEQ:SHA256): {text!r}")
        return cls(int(seq), digest)


def canonical_json(value: object) -> str:
    """``value`` as JSON with sorted keys, no spaces, no NaN; ``TypeError`` if it is not
    JSON data."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def canonical_time(at: datetime) -> str:
    """``at`` in UTC with microseconds, e.g. ``2026-11-30T08:00:00.000000Z``."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(entry: ChainFields) -> str:
    """The chain hash of ``entry`` (over its fields and its ``prev_hash``)."""
    canonical = canonical_json({
        "seq": entry.seq, "at": canonical_time(entry.at), "actor": entry.actor,
        "action": entry.action, "target": entry.target, "detail": entry.detail,
        "prev_hash": entry.prev_hash})
    return hashlib.sha256(canonical.encode()).hexdigest()


class ProblemKind(StrEnum):
    """How the chain fails at an entry."""

    ALTERED = "altered"  # the entry's fields no longer give its hash
    SEQUENCE = "sequence"  # numbers skipped (entries removed) or out of order (inserted)
    LINK = "link"  # prev_hash is not the previous entry's hash
    HEAD = "head"  # the externally noted head is no longer in the chain


@dataclass(frozen=True)
class ChainProblem:
    """One place where the chain does not hold."""

    kind: ProblemKind
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"entry {self.seq}: {self.reason}"


def _entry_problems(entry: ChainedEntry, prev: ChainHead) -> Iterable[ChainProblem]:
    where = f"(id {entry.id})"
    if entry.seq > prev.seq + 1:
        yield ChainProblem(ProblemKind.SEQUENCE, entry.seq, f"{where} entries {prev.seq + 1}"
                           f"–{entry.seq - 1} are missing (removed)")
    elif entry.seq != prev.seq + 1:
        yield ChainProblem(ProblemKind.SEQUENCE, entry.seq,
                           f"{where} is numbered {entry.seq} after {prev.seq} (inserted)")
    if entry.prev_hash != prev.chain_hash:
        yield ChainProblem(ProblemKind.LINK, entry.seq,
                           f"{where} does not link to entry {prev.seq} (an entry was "
                           "removed, inserted or reordered)")
    if entry_hash(entry) != entry.chain_hash:
        yield ChainProblem(ProblemKind.ALTERED, entry.seq,
                           f"{where} does not match its hash (the entry was changed)")


def find_problems(entries: Iterable[ChainedEntry],
                  noted_head: ChainHead | None = None) -> list[ChainProblem]:
    """Every problem of ``entries`` (in ``seq`` order), first bad entry first; with
    ``noted_head``, also whether that head is still in the chain."""
    problems: list[ChainProblem] = []
    prev, head_seen = ChainHead(0, GENESIS), noted_head is None or noted_head.seq == 0
    for entry in entries:
        problems.extend(_entry_problems(entry, prev))
        if noted_head is not None and entry.seq == noted_head.seq:
            head_seen = entry.chain_hash == noted_head.chain_hash
        prev = ChainHead(entry.seq, entry.chain_hash)
    if noted_head is not None and not head_seen:
        problems.append(ChainProblem(ProblemKind.HEAD, noted_head.seq,
                                     f"the noted head {noted_head} is not in the chain "
                                     "(entries were removed or the chain was recomputed)"))
    return problems
