"""Reading complaints on a real (SQLite) database, made through registration and handling:
officers see who complained and that view is audited (anonymous ones reveal nobody), an
organisation's operator never sees it nor whether it was anonymous; each filter and the
page; the deadline flag of each complaint; one complaint with its extensions; and the
complainant's own view by tracking code, which says whether it was accepted and gives the
result only once there is one, and finds nothing for anything but a code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from support.batches import World, planned_batch
from support.places import add_user

from proctor.auth.scope import Scope, load_scope
from proctor.complaints import handling
from proctor.complaints.form import ComplaintForm
from proctor.complaints.registration import register_by_officer
from proctor.complaints.views import (
    IDENTITY_VIEWED,
    ComplaintFilter,
    list_complaints,
    public_status,
    show_complaint,
)
from proctor.complaints.workflow import DeadlineFlag, DeadlineRules
from proctor.db.complaints import Complaint, ComplaintChannel, ComplaintState
from proctor.db.models import AuditEntry, Role, Site
from proctor.errors import Forbidden, NotFound
from proctor.supervision.calendar import WorkingCalendar
from proctor.supervision.china_time import china_day

NOW = datetime(2026, 6, 9, 1, 0, tzinfo=UTC)  # Tuesday 09:00 in China
CALENDAR = WorkingCalendar([2026], [])
RULES = DeadlineRules()


@dataclass(frozen=True)
class Desk:
    """Three complaints about the world's organisation (a named one about its batch, an
    anonymous one, a named one first reviewed and rejected), its officer and operator."""

    named: Complaint
    anonymous: Complaint
    rejected: Complaint
    batch: int
    officer: Scope
    operator: Scope


def register(db: Session, officer: Scope, **fields: Any) -> Complaint:
    form = ComplaintForm.model_validate({"text": "考场内有人代考", **fields})
    return register_by_officer(db, officer, CALENDAR, RULES, form, ComplaintChannel.PHONE, NOW)


@pytest.fixture
def desk(db: Session, world: World) -> Desk:
    site = db.get_one(Site, world.site)
    officer = load_scope(db, add_user(db, "officer", Role.COMPLAINT_OFFICER, [site]))
    operator = load_scope(db, add_user(db, "operator", Role.ORG_OPERATOR, [site]))
    batch = planned_batch(db, world).id
    org = world.organisation
    named = register(db, officer, batch_id=batch, complainant_name="王某",
                     complainant_contact="13800000000")
    anonymous = register(db, officer, organisation_id=org)
    rejected = register(db, officer, organisation_id=org, complainant_name="李某")
    handling.review(db, officer, CALENDAR, RULES, rejected.id, False, "不属于受理范围", NOW)
    db.commit()
    return Desk(named, anonymous, rejected, batch, officer, operator)


def identity_views(db: Session) -> list[list[int]]:
    """The complaints each audited view of complainants named."""
    return [cast(list[int], e.detail["complaints"]) for e in db.scalars(
        select(AuditEntry).where(AuditEntry.action == IDENTITY_VIEWED).order_by(AuditEntry.id))]


def ids(views: list[Any]) -> list[int]:
    return [v.complaint.id for v in views]


def test_an_officer_sees_who_complained_and_the_view_is_audited(db: Session,
                                                                desk: Desk) -> None:
    views = list_complaints(db, desk.officer, CALENDAR, ComplaintFilter(), NOW)
    assert ids(views) == [desk.rejected.id, desk.anonymous.id, desk.named.id]  # newest first
    by_id = {v.complaint.id: v for v in views}
    named = by_id[desk.named.id]
    assert named.complainant is not None and named.anonymous is False
    assert (named.complainant.name, named.complainant.contact) == ("王某", "13800000000")
    assert by_id[desk.anonymous.id].anonymous is True
    assert identity_views(db) == [[desk.rejected.id, desk.named.id]]  # not the anonymous one


def test_an_operator_never_sees_who_complained_nor_whether_anonymously(db: Session,
                                                                        desk: Desk) -> None:
    views = list_complaints(db, desk.operator, CALENDAR, ComplaintFilter(), NOW)
    assert len(views) == 3
    assert {(v.complainant, v.anonymous) for v in views} == {(None, None)}
    detail = show_complaint(db, desk.operator, CALENDAR, desk.named.id, NOW)
    assert detail.view.complainant is None
    assert identity_views(db) == []


def test_each_filter_and_the_page(db: Session, world: World, desk: Desk) -> None:
    def listed(**where: Any) -> list[int]:
        return ids(list_complaints(db, desk.officer, CALENDAR, ComplaintFilter(**where), NOW))

    assert listed(state=ComplaintState.RESOLVED) == [desk.rejected.id]
    assert listed(batch_id=desk.batch) == [desk.named.id]
    assert listed(organisation_id=world.organisation, limit=2) == [desk.rejected.id,
                                                                   desk.anonymous.id]
    assert listed(limit=2, offset=2) == [desk.named.id]
    assert listed(organisation_id=2**63 - 1) == []
    handling.close(db, desk.officer, desk.rejected.id, NOW)
    assert listed(open_only=True) == [desk.anonymous.id, desk.named.id]


def test_the_deadline_flags_as_days_pass(db: Session, desk: Desk) -> None:
    due = desk.named.first_review_due
    assert due is not None

    def flags(at: datetime) -> dict[int, DeadlineFlag | None]:
        return {v.complaint.id: v.flag
                for v in list_complaints(db, desk.officer, CALENDAR, ComplaintFilter(), at)}

    on_time = flags(NOW)
    assert on_time[desk.named.id] is None and on_time[desk.rejected.id] is None
    late = flags(datetime.combine(due + timedelta(days=1), NOW.timetz()))
    assert late[desk.named.id] is DeadlineFlag.FIRST_REVIEW_OVERDUE
    assert late[desk.rejected.id] is None  # resolved: nothing is due
    next_year = flags(datetime(2027, 1, 4, 1, 0, tzinfo=UTC))  # 2027 is not entered
    assert next_year[desk.anonymous.id] is DeadlineFlag.CALENDAR_MISSING


def test_roles_without_complaints_and_strangers_read_none(db: Session, world: World,
                                                         desk: Desk) -> None:
    supervisor = load_scope(db, add_user(db, "sup", Role.SUPERVISOR,
                                         [db.get_one(Site, world.site)]))
    with pytest.raises(Forbidden, match="complaints"):
        list_complaints(db, supervisor, CALENDAR, ComplaintFilter(), NOW)
    stranger = load_scope(db, add_user(db, "stranger", Role.COMPLAINT_OFFICER, []))
    assert list_complaints(db, stranger, CALENDAR, ComplaintFilter(), NOW) == []
    with pytest.raises(Forbidden):
        show_complaint(db, stranger, CALENDAR, desk.named.id, NOW)


def test_one_complaint_with_its_extensions_in_order(db: Session, desk: Desk) -> None:
    handling.review(db, desk.officer, CALENDAR, RULES, desk.named.id, True, "受理", NOW)
    handling.extend(db, desk.officer, CALENDAR, desk.named.id, 2, "调取录像")
    handling.extend(db, desk.officer, CALENDAR, desk.named.id, 1, "补充调查")
    detail = show_complaint(db, desk.officer, CALENDAR, desk.named.id, NOW)
    assert [(e.working_days, e.reason) for e in detail.extensions] == [(2, "调取录像"),
                                                                       (1, "补充调查")]
    assert detail.extensions[1].previous_due == detail.extensions[0].new_due
    assert (detail.attachments, detail.clips) == ([], [])
    assert identity_views(db) == [[desk.named.id]]


def test_the_complainant_follows_progress_by_tracking_code(db: Session, desk: Desk) -> None:
    code = desk.named.tracking_code
    waiting = public_status(db, f"  {code.lower()} \n")  # as typed from a receipt
    assert (waiting.tracking_code, waiting.state, waiting.state_label) == (
        code, ComplaintState.REGISTERED, "已登记")
    assert (waiting.accepted, waiting.result, waiting.resolved_on) == (None, None, None)
    assert waiting.first_review_due == desk.named.first_review_due
    assert waiting.registered_on == china_day(NOW)
    rejected = public_status(db, desk.rejected.tracking_code)
    assert (rejected.accepted, rejected.result) == (False, "不属于受理范围")
    assert rejected.first_reviewed_on == rejected.resolved_on == china_day(NOW)
    later = NOW + timedelta(days=1)
    handling.review(db, desk.officer, CALENDAR, RULES, desk.named.id, True, "受理", later)
    accepted = public_status(db, code)
    assert (accepted.accepted, accepted.result) == (True, None)
    assert accepted.first_reviewed_on == china_day(later)


@pytest.mark.parametrize("text", [
    "", " ", "A" * 20, "0" * 20, "' OR 1=1 --", "Ａ" * 20, "\ud800" * 20, "2" * 10_000])
def test_anything_but_a_tracking_code_finds_nothing(db: Session, desk: Desk,
                                                    text: str) -> None:
    with pytest.raises(NotFound, match="查询码"):
        public_status(db, text)
