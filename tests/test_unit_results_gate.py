"""The results gate's facts gathered from a real (SQLite) database with the seeded working
calendar: the newest signed report version and its conclusion (an unsigned later draft does
not count), the footage gaps of an ended session without footage, publicity's working days
up to today or to the filing day, open complaints counted in full but named only up to
twenty, complaints waiting for an amended report until a version is signed after their
resolution; and the gate shown only to a user who may read the batch's reports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session
from support.batches import World, planned_batch
from support.draws import RULES as DRAW_RULES
from support.places import add_user

from proctor.auth.scope import load_scope
from proctor.db.complaints import Complaint, ComplaintChannel, ComplaintState
from proctor.db.models import Role, Site
from proctor.errors import Forbidden, InvalidInput
from proctor.supervision.calendar_service import load_calendar
from proctor.supervision.gap_explanations import explain_gap
from proctor.supervision.oversight import Report
from proctor.supervision.records import Batch
from proctor.supervision.report.terms import Conclusion
from proctor.supervision.results_gate import NAMED, batch_gate, gate_facts

RULES = DRAW_RULES.deadlines  # publicity: 5 working days
STARTED = date(2026, 4, 13)  # a Monday
FRIDAY = datetime(2026, 4, 17, 2, 0, tzinfo=UTC)  # 10:00 in China


@pytest.fixture
def batch(db: Session, world: World) -> Batch:
    batch = planned_batch(db, world)  # one session on 2026-03-02, no footage
    batch.publicity_started_on = STARTED
    db.commit()
    return batch


def report(db: Session, batch: Batch, version: int, conclusion: Conclusion,
           signed_at: datetime | None) -> Report:
    row = Report(batch_id=batch.id, number=f"DD-{version}", version=version, content={},
                 conclusion=conclusion, signed_at=signed_at, created_by="cli:test")
    db.add(row)
    db.commit()
    return row


def complaint(db: Session, batch: Batch, n: int, state: ComplaintState = ComplaintState.REGISTERED,
              **fields: object) -> Complaint:
    row = Complaint(tracking_code=f"TC-{n}", organisation_id=batch.organisation_id,
                    batch_id=batch.id, text="考场内有人代考", channel=ComplaintChannel.LETTER,
                    registered_by="cli:test", state=state, **fields)
    db.add(row)
    db.commit()
    return row


def test_an_unsigned_batch_without_footage_has_every_reason(db: Session, batch: Batch) -> None:
    facts = gate_facts(db, batch, load_calendar(db), RULES, FRIDAY)
    assert (facts.report_signed, facts.conclusion) == (False, None)
    assert facts.unexplained_gaps >= 1  # the session's camera recorded nothing
    assert facts.unreviewed_events == 0 and facts.open_complaints == 0
    assert facts.publicity_days_elapsed == 3  # Monday to Thursday: Friday is not over
    assert facts.publicity_days_required == RULES.publicity_days


def test_publicity_counts_to_the_filing_day_once_filed(db: Session, batch: Batch) -> None:
    batch.results_filed_on = date(2026, 4, 16)  # a Thursday: Tuesday and Wednesday ran
    db.commit()
    later = FRIDAY + timedelta(days=30)
    assert gate_facts(db, batch, load_calendar(db), RULES, later).publicity_days_elapsed == 2
    batch.publicity_started_on = None
    assert gate_facts(db, batch, load_calendar(db), RULES, later).publicity_days_elapsed == 0


def test_the_newest_signed_version_gives_the_conclusion(db: Session, batch: Batch) -> None:
    report(db, batch, 1, Conclusion.NOT_ACCEPTED, FRIDAY - timedelta(days=9))
    report(db, batch, 2, Conclusion.ACCEPTED_AFTER_RECTIFICATION, FRIDAY - timedelta(days=5))
    report(db, batch, 3, Conclusion.PASSED, None)  # a draft: not final
    facts = gate_facts(db, batch, load_calendar(db), RULES, FRIDAY)
    assert (facts.report_signed, facts.conclusion) == (
        True, Conclusion.ACCEPTED_AFTER_RECTIFICATION)


def test_open_complaints_are_counted_in_full_and_named_up_to_twenty(db: Session,
                                                                   batch: Batch) -> None:
    opened = [complaint(db, batch, n).id for n in range(NAMED + 5)]
    complaint(db, batch, 99, ComplaintState.CLOSED)
    facts = gate_facts(db, batch, load_calendar(db), RULES, FRIDAY)
    assert facts.open_complaints == NAMED + 5
    assert facts.open_complaint_ids == tuple(opened[:NAMED])


def test_a_complaint_waits_for_a_report_signed_after_its_resolution(db: Session,
                                                                    batch: Batch) -> None:
    resolved = FRIDAY - timedelta(days=3)
    waiting = complaint(db, batch, 1, ComplaintState.CLOSED, resolved_at=resolved,
                        requires_amended_report=True).id
    report(db, batch, 1, Conclusion.PASSED, resolved - timedelta(days=1))
    facts = gate_facts(db, batch, load_calendar(db), RULES, FRIDAY)
    assert facts.awaiting_amendment == (waiting,)
    assert not batch_gate(db, load_scope(db, add_user(db, "root", Role.ADMIN, [])), batch.id,
                          RULES, now=FRIDAY).decision.open
    report(db, batch, 2, Conclusion.PASSED, resolved + timedelta(hours=1))
    assert gate_facts(db, batch, load_calendar(db), RULES, FRIDAY).awaiting_amendment == ()


def test_the_gate_is_shown_to_readers_of_the_batchs_reports_only(db: Session, world: World,
                                                                 batch: Batch) -> None:
    site = db.get_one(Site, world.site)
    auditor = load_scope(db, add_user(db, "auditor", Role.AUDITOR, [site]))
    gate = batch_gate(db, auditor, batch.id, RULES, now=FRIDAY)
    assert gate.batch.id == batch.id and not gate.decision.open
    codes = {reason.code for reason in gate.decision.missing}
    assert len(codes) == len(gate.decision.missing) >= 3  # report, gaps, publicity
    supervisor = load_scope(db, add_user(db, "sup", Role.SUPERVISOR, [site]))
    with pytest.raises(Forbidden):
        batch_gate(db, supervisor, batch.id, RULES, now=FRIDAY)


def test_an_explained_gap_no_longer_holds_the_gate(db: Session, world: World,
                                                   batch: Batch) -> None:
    before = gate_facts(db, batch, load_calendar(db), RULES, FRIDAY).unexplained_gaps
    session = batch.sessions[0]
    admin = load_scope(db, add_user(db, "root", Role.ADMIN, []))
    with pytest.raises(InvalidInput, match="must not be blank"):
        explain_gap(db, admin, batch.id, world.cameras[0], session.starts_at,
                    session.ends_at, "  ")
    explain_gap(db, admin, batch.id, world.cameras[0], session.starts_at, session.ends_at,
                "考点停电，已书面报备")
    db.commit()
    after = gate_facts(db, batch, load_calendar(db), RULES, FRIDAY).unexplained_gaps
    assert before >= 1 and after == before - 1
