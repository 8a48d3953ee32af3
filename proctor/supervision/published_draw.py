"""Check a draw from its published data alone, without the database (pure).

Anyone holding the snapshot file (its canonical JSON), the published snapshot hash, the
revealed seed, the commitment published before the draw and the published selection can
recompute the draw: the snapshot's ``kind`` says which (``supervisors``:
:func:`~proctor.supervision.draw.verify_draw`, ``inspection``:
:func:`~proctor.supervision.inspection.verify_inspections`). The file must hash (in its
canonical form) to the published hash, so an edited file does not pass. Everything wrong is
reported, nothing raised.
"""

from __future__ import annotations

import json

from pydantic import ValidationError

from proctor.supervision.draw import SupervisorDraw, verify_draw
from proctor.supervision.inspection import InspectionDraw, InspectionSnapshot, verify_inspections
from proctor.supervision.recusal import PoolSnapshot, screen
from proctor.supervision.selection import Verification


def _kind(snapshot: bytes) -> str | None:
    try:
        value = json.loads(snapshot)
    except (ValueError, UnicodeDecodeError):
        return None
    kind = value.get("kind") if isinstance(value, dict) else None
    return kind if isinstance(kind, str) else None


def _supervisors(snapshot: bytes, seed: str, commitment: str, recorded: str,
                 selected: tuple[str, ...], digest: str) -> Verification:
    parsed = PoolSnapshot.model_validate_json(snapshot)
    result = SupervisorDraw(snapshot_sha256=digest, commitment=recorded, selected=selected,
                            batch_id=parsed.batch.id, recused=dict(screen(parsed).recused))
    return verify_draw(parsed, seed, commitment, result)


def _inspections(snapshot: bytes, seed: str, commitment: str, recorded: str,
                 selected: tuple[str, ...], digest: str) -> Verification:
    parsed = InspectionSnapshot.model_validate_json(snapshot)
    result = InspectionDraw(snapshot_sha256=digest, commitment=recorded, selected=selected,
                            period=parsed.period, on_site=selected[:parsed.on_site],
                            replay=selected[parsed.on_site:])
    return verify_inspections(parsed, seed, commitment, result)


_VERIFIERS = {"supervisors": _supervisors, "inspection": _inspections}


def verify_published(snapshot: bytes, snapshot_sha256: str, seed: str, commitment: str,
                     selected: tuple[str, ...],
                     recorded_commitment: str | None = None) -> Verification:
    """Every way the published draw differs from its recomputation (empty: it holds).

    ``commitment`` is the value published before the draw; ``recorded_commitment`` the one
    stored with the result, when there is one (default: the same)."""
    kind = _kind(snapshot)
    verifier = _VERIFIERS.get(kind or "")
    if verifier is None:
        return Verification((f"快照无法解析 / the snapshot is not the JSON of a supervisor or "
                             f"inspection draw (kind {kind!r})",))
    try:
        return verifier(snapshot, seed, commitment, recorded_commitment or commitment,
                        selected, snapshot_sha256)
    except ValidationError as error:
        return Verification((f"快照无法解析 / the snapshot does not parse: "
                             f"{error.error_count()} error(s), first: {error.errors()[0]['msg']}",))
