"""The per-camera hash chain over segment records (pure functions, no I/O).

``chain_hash = sha256(prev_hash | camera | start | end | sha256 | key | version)`` with the
fields in that fixed order, separated by ``|``. The first segment of a camera links to
:data:`GENESIS`. Anyone holding the records (an evidence package, years later) can recompute
every link with nothing but SHA-256.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

GENESIS = "0" * 64


@dataclass(frozen=True)
class ChainRecord:
    """The fields of a segment that the chain covers."""

    camera_id: int
    start_ms: int
    end_ms: int
    sha256: str
    object_key: str
    version_id: str
    prev_hash: str
    chain_hash: str


def link_hash(prev_hash: str, camera_id: int, start_ms: int, end_ms: int, sha256: str,
              object_key: str, version_id: str) -> str:
    """The chain hash of a record whose predecessor's chain hash is ``prev_hash``."""
    canonical = "|".join(
        [prev_hash, str(camera_id), str(start_ms), str(end_ms), sha256, object_key, version_id]
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    """The first place where the chain does not hold."""

    index: int
    start_ms: int
    reason: str


def first_break(records: Iterable[ChainRecord], expected_prev: str = GENESIS) -> ChainBreak | None:
    """Check links in chain order; ``None`` if every record links to the one before it."""
    prev = expected_prev
    for index, record in enumerate(records):
        if record.prev_hash != prev:
            return ChainBreak(index, record.start_ms,
                              f"prev_hash {record.prev_hash[:12]}… does not match the previous "
                              f"record's chain hash {prev[:12]}… (a record was removed or "
                              "reordered)")
        recomputed = link_hash(record.prev_hash, record.camera_id, record.start_ms,
                               record.end_ms, record.sha256, record.object_key, record.version_id)
        if recomputed != record.chain_hash:
            return ChainBreak(index, record.start_ms,
                              "chain hash does not match the record's fields (the record was "
                              "altered)")
        prev = record.chain_hash
    return None
