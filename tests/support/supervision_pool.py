"""A small supervisor pool for the draw tests: ``pool()`` builds a snapshot, all eligible."""

from __future__ import annotations

import datetime as dt
from typing import Any

from proctor.supervision.recusal import BatchRef, PoolSnapshot, Supervisor

BATCH_ORG = "org-batch"
BATCH_DAY = dt.date(2026, 6, 15)
XIAMEN = "350200"  # 厦门市; 思明区 is 350203, 湖里区 350206


def supervisor(sid: str, **changes: Any) -> Supervisor:
    """An eligible supervisor of the Xiamen pool, with ``changes`` applied."""
    fields: dict[str, Any] = {
        "id": sid, "region_code": "350203", "organisation_id": f"org-of-{sid}",
        "active": True, "qualification_number": f"Q-{sid}"}
    return Supervisor(**(fields | changes))


def pool(supervisors: list[Supervisor] | int = 6, needed: int = 2, window: int = 30,
         person_ids: tuple[str, ...] = ("p-examiner", "p-candidate")) -> PoolSnapshot:
    """A snapshot for one batch of ``BATCH_ORG`` on ``BATCH_DAY``."""
    members = ([supervisor(f"s{i:02d}") for i in range(supervisors)]
               if isinstance(supervisors, int) else supervisors)
    return PoolSnapshot(
        pool_region=XIAMEN, supervisors_needed=needed, recusal_window_days=window,
        batch=BatchRef(id="batch-1", organisation_id=BATCH_ORG, date=BATCH_DAY,
                       person_ids=person_ids),
        supervisors=tuple(members))
