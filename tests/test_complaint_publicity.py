"""The publicity notice (pure reads on a database): shown in its window only, by 备案号 or
id, paused by an open complaint (and shown past its last day while paused), its last day
unknown rather than guessed when the calendar lacks the year."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from support.batches import World, at, build_world, database, planned_batch

from proctor.complaints.publicity import ComplaintChannel, PublicityNotice, publicity_notice
from proctor.db.complaints import Complaint, ComplaintState
from proctor.db.complaints import ComplaintChannel as Channel
from proctor.errors import NotFound
from proctor.supervision.calendar_service import load_calendar
from proctor.supervision.records import Batch
from proctor.supervision.settings import SupervisionSettings
from proctor.supervision.states import BatchState

RULES = SupervisionSettings().deadline_rules()
CHANNEL = ComplaintChannel("/public/complaints", "12333", "厦门市人社局", "可匿名")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Session]:
    with database(tmp_path) as session:
        yield session


@pytest.fixture
def batch(db: Session) -> Batch:
    world: World = build_world(db)
    row = planned_batch(db, world)
    row.state, row.filing_number = BatchState.PUBLICITY, "BA-2026-7"
    row.publicity_started_on = date(2026, 3, 5)  # Thursday: last day 03-12
    db.flush()
    return row


def notice(db: Session, key: str, when: str) -> PublicityNotice:
    return publicity_notice(db, load_calendar(db), RULES, key, CHANNEL, at(when))


def test_shown_in_its_window_by_filing_number_or_id(db: Session, batch: Batch) -> None:
    shown = notice(db, "BA-2026-7", "2026-03-05 09:00")
    assert notice(db, str(batch.id), "2026-03-12 23:00") == shown
    assert (shown.publicity_starts_on, shown.publicity_last_day) == (date(2026, 3, 5),
                                                                    date(2026, 3, 12))
    assert (shown.first_session_day, shown.paused, shown.channel.phone) == (
        date(2026, 3, 2), False, "12333")
    for when in ("2026-03-04 23:59", "2026-03-13 00:00"):
        with pytest.raises(NotFound, match="公示期"):
            notice(db, "BA-2026-7", when)
    with pytest.raises(NotFound):
        notice(db, "no-such-batch", "2026-03-06 09:00")


def test_not_shown_outside_publicity(db: Session, batch: Batch) -> None:
    batch.state = BatchState.RESULTS_FILED
    db.flush()
    with pytest.raises(NotFound):
        notice(db, "BA-2026-7", "2026-03-06 09:00")


def test_an_open_complaint_pauses_it_and_keeps_it_shown(db: Session, batch: Batch) -> None:
    complaint = Complaint(tracking_code="T" * 20, organisation_id=batch.organisation_id,
                          batch_id=batch.id, text="有人代考", channel=Channel.ONLINE,
                          registered_by="system:public-intake")
    db.add(complaint)
    db.flush()
    assert notice(db, "BA-2026-7", "2026-03-20 09:00").paused
    complaint.state = ComplaintState.CLOSED
    db.flush()
    with pytest.raises(NotFound):
        notice(db, "BA-2026-7", "2026-03-20 09:00")


def test_a_last_day_in_a_year_not_entered_is_unknown(db: Session, batch: Batch) -> None:
    batch.publicity_started_on = date(2026, 12, 28)
    db.flush()
    shown = notice(db, "BA-2026-7", "2026-12-30 09:00")
    assert shown.publicity_last_day is None and not shown.paused
