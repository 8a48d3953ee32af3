"""The publicity notice (公示) of a batch, as the public reads it without logging in.

Seed 003 (十二): the organisation publicises the results for 5 working days and announces
how to complain and to ask for a score review (公布投诉及成绩复核方式). Published here:
the batch (备案号), organisation, occupation and level, mode, the period of its sessions,
the publicity window (its first day and its last working day), whether it is paused by an
open complaint, and the complaint channel (online here, telephone, letters). Never
published: candidates, rosters, staff, supervisors, complaints themselves (the rules do
not ask for them; the candidates' results are published by the organisation itself).

Shown only while the batch is in publicity, up to its last working day (or beyond it while
paused); 404 otherwise. A last day in a year the calendar lacks is shown as unknown rather
than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor.db.organisations import Organisation
from proctor.errors import NotFound
from proctor.supervision.calendar import WorkingCalendar, YearNotEntered
from proctor.supervision.china_time import china_day
from proctor.supervision.deadlines import DeadlineRules, publicity_last_day
from proctor.supervision.records import Batch
from proctor.supervision.results_gate import open_complaints
from proctor.supervision.states import BatchState, publicity_paused

ONLINE_PATH = "/public/complaints"


@dataclass(frozen=True)
class ComplaintChannel:
    """Where and how to complain (投诉及成绩复核方式)."""

    online: str  # the public intake: POST multipart here; GET /<tracking code> for progress
    phone: str
    postal_address: str
    note: str


@dataclass(frozen=True)
class PublicityNotice:
    """What the publicity notice of one batch publishes."""

    batch_id: int
    filing_number: str | None
    organisation_id: int
    organisation: str
    occupation: str
    occupation_code: str
    level: str
    mode: str
    first_session_day: date | None
    last_session_day: date | None
    publicity_starts_on: date
    publicity_last_day: date | None  # None: its year is not in the calendar yet
    working_days: int
    paused: bool
    channel: ComplaintChannel


def _batch_by_key(db: Session, key: str) -> Batch | None:
    """A batch by 备案号, or by id when no filing number matches."""
    batch = db.scalar(select(Batch).where(Batch.filing_number == key))
    if batch is None and key.isascii() and key.isdigit() and len(key) < 19:
        batch = db.get(Batch, int(key))
    return batch


def _last_day(calendar: WorkingCalendar, rules: DeadlineRules, started: date) -> date | None:
    try:
        return publicity_last_day(calendar, rules, started)
    except YearNotEntered:
        return None


def publicity_notice(db: Session, calendar: WorkingCalendar, rules: DeadlineRules, key: str,
                     channel: ComplaintChannel, now: datetime) -> PublicityNotice:
    """The notice of the batch ``key`` (备案号 or id) during its publicity; 404 otherwise."""
    batch = _batch_by_key(db, key)
    gone = NotFound(f"no batch '{key}' is in its publicity period (公示期) now")
    if batch is None or batch.state is not BatchState.PUBLICITY or \
            batch.publicity_started_on is None:
        raise gone
    paused = publicity_paused(batch.state, len(open_complaints(db, batch.id)))
    last = _last_day(calendar, rules, batch.publicity_started_on)
    today = china_day(now)
    if today < batch.publicity_started_on or (last is not None and today > last and not paused):
        raise gone
    organisation = db.get(Organisation, batch.organisation_id)
    assert organisation is not None  # a foreign key
    days = [china_day(s.starts_at) for s in batch.sessions]
    return PublicityNotice(
        batch_id=batch.id, filing_number=batch.filing_number, organisation_id=organisation.id,
        organisation=organisation.name, occupation=batch.occupation_name,
        occupation_code=batch.occupation_code, level=batch.level.value, mode=batch.mode.value,
        first_session_day=min(days, default=None), last_session_day=max(days, default=None),
        publicity_starts_on=batch.publicity_started_on, publicity_last_day=last,
        working_days=rules.publicity_days, paused=paused, channel=channel)
