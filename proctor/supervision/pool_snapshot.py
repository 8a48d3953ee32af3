"""Freeze the supervisor pool of a batch into a :class:`PoolSnapshot` (database to value).

**Whose pool.** The city's (地级市): the draw is the municipal appraisal centre's
(市职鉴中心随机抽取质量督导员, 属地管理), so the pool of a batch is the city that contains the
organisation's district, and it holds every supervisor registered in that city or in any of
its districts. A supervisor registered at the province serves the province's own batches
(分级负责) and is not in a city's pool. An organisation registered directly at a province
code draws from the province.

**Who is in the snapshot.** Every supervisor of the pool, inactive ones included (the
``inactive`` filter recuses them, so the published input shows who was left out and why);
ids are database ids as text. Each supervisor's assignments whose batch date lies within
the recusal window of this batch's date are listed (any organisation), so the snapshot
stays small and still shows the ``recent_assignment`` facts.

**People without names.** The batch's people (examiners, invigilators, candidates on its
rosters) and the persons named in declared conflicts are matched by name, and appear only as
pseudonyms: HMAC-SHA256 of the name under a key made for this snapshot and then discarded.
Within one snapshot equal names get equal pseudonyms, so the conflict filter recomputes;
nobody can turn a published snapshot back into names. Equal names of different people recuse
the supervisor (a false alarm is the safe side).
"""

from __future__ import annotations

import hmac
import secrets
from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from proctor.db.organisations import Organisation
from proctor.errors import Conflict
from proctor.supervision.oversight import Assignment as AssignmentRow
from proctor.supervision.oversight import Supervisor as SupervisorRow
from proctor.supervision.oversight import SupervisorConflict
from proctor.supervision.records import Batch, ExamSession
from proctor.supervision.recusal import (
    Assignment,
    BatchRef,
    PoolSnapshot,
    Supervisor,
    region_contains,
)
from proctor.supervision.recusal import Conflict as DeclaredConflict

CHINA = ZoneInfo("Asia/Shanghai")


def pool_region(organisation_region: str) -> str:
    """The region whose pool serves an organisation: its city, or its province when the
    organisation is registered at a province code."""
    if organisation_region.endswith("0000"):
        return organisation_region
    return organisation_region[:4] + "00"


def batch_date(batch: Batch) -> date:
    """The day (China time) of the batch's first session; 409 for a batch without one."""
    if not batch.sessions:
        raise Conflict(f"batch {batch.id} has no sessions: its date is unknown, so it "
                       "cannot be drawn for")
    return min(s.starts_at for s in batch.sessions).astimezone(CHINA).date()


class _Pseudonyms:
    """Names as opaque ids under a one-off key (see the module docs)."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def __call__(self, name: str) -> str:
        digest = hmac.digest(self._key, " ".join(name.split()).encode(), "sha256")
        return "p-" + digest.hex()[:24]


def _batch_people(batch: Batch) -> set[str]:
    rooms = [room for session in batch.sessions for room in session.rooms]
    return ({c.name for room in rooms for c in room.candidates}
            | {s.name for room in rooms for s in room.staff})


def _conflicts(db: Session, ids: list[int],
               pseudonym: _Pseudonyms) -> dict[int, list[DeclaredConflict]]:
    found: dict[int, list[DeclaredConflict]] = defaultdict(list)
    rows = db.scalars(select(SupervisorConflict).where(SupervisorConflict.supervisor_id.in_(ids)))
    for row in rows:
        party = ({"organisation_id": str(row.organisation_id)} if row.organisation_id is not None
                 else {"person_id": pseudonym(row.person)})
        found[row.supervisor_id].append(DeclaredConflict(kind=row.kind, **party))
    return found


def _recent(db: Session, ids: list[int], day: date, window: int) -> dict[int, list[Assignment]]:
    """Each supervisor's assignments whose batch date is within ``window`` days of ``day``."""
    first = func.min(ExamSession.starts_at)
    rows = db.execute(
        select(AssignmentRow.supervisor_id, Batch.organisation_id, first)
        .join(Batch, Batch.id == AssignmentRow.batch_id)
        .join(ExamSession, ExamSession.batch_id == Batch.id)
        .where(AssignmentRow.supervisor_id.in_(ids))
        .group_by(AssignmentRow.id, AssignmentRow.supervisor_id, Batch.organisation_id))
    found: dict[int, list[Assignment]] = defaultdict(list)
    for supervisor_id, organisation_id, starts_at in rows:
        when = _as_china_day(starts_at)
        if abs((when - day).days) <= window:
            found[supervisor_id].append(Assignment(organisation_id=str(organisation_id),
                                                   date=when))
    return found


def _as_china_day(moment: datetime) -> date:
    if moment.tzinfo is None:  # an aggregate read back from SQLite loses the zone: UTC
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(CHINA).date()


def build_pool_snapshot(db: Session, batch: Batch, needed: int,
                        recusal_window_days: int) -> PoolSnapshot:
    """The frozen input of the supervisor draw for ``batch`` (see the module docs)."""
    organisation = db.get(Organisation, batch.organisation_id)
    assert organisation is not None  # a foreign key
    region, day = pool_region(organisation.region_code), batch_date(batch)
    members = [s for s in db.scalars(select(SupervisorRow).order_by(SupervisorRow.id))
               if region_contains(region, s.region_code)]
    ids = [s.id for s in members]
    pseudonym = _Pseudonyms()
    conflicts = _conflicts(db, ids, pseudonym)
    recent = _recent(db, ids, day, recusal_window_days)
    return PoolSnapshot(
        pool_region=region, supervisors_needed=needed, recusal_window_days=recusal_window_days,
        batch=BatchRef(id=str(batch.id), organisation_id=str(batch.organisation_id), date=day,
                       person_ids=tuple(pseudonym(n) for n in _batch_people(batch))),
        supervisors=tuple(Supervisor(
            id=str(s.id), region_code=s.region_code,
            organisation_id=None if s.organisation_id is None else str(s.organisation_id),
            active=s.is_active, qualification_number=s.qualification_number or None,
            conflicts=tuple(conflicts[s.id]), recent_assignments=tuple(recent[s.id]))
            for s in members))
