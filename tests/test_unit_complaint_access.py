"""Who may read and handle a complaint, on a real (SQLite) directory: scope by the
organisation's sites, the role's permissions, and recusal (回避) of an officer employed by
the organisation or who declared a conflict with it; who sees the complainant."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session
from support.drawn import XIAMEN, organisation, xiamen_regions
from support.places import add_user, build_place

from proctor.auth.scope import load_scope
from proctor.complaints.access import (
    handled_complaint,
    member_organisations,
    readable_complaint,
    sees_complainant,
)
from proctor.db.complaints import Complaint, ComplaintChannel
from proctor.db.models import Role, Site, User
from proctor.errors import Forbidden, NotFound
from proctor.supervision.oversight import Supervisor, SupervisorConflict
from proctor.supervision.recusal import ConflictKind


@dataclass(frozen=True)
class Setting:
    """Organisation A with its site; a complaint about A; another organisation B."""

    complaint: int
    organisation: int
    other: int
    site: Site
    site_user: User  # a complaint officer granted A's site


@pytest.fixture
def setting(db: Session) -> Setting:
    xiamen_regions(db)
    ours, other = organisation(db, "组织甲"), organisation(db, "组织乙")
    place = build_place(db, "A")
    place.site.organisation_id = ours
    complaint = Complaint(tracking_code="TC-1", organisation_id=ours, text="考场内有人代考",
                          complainant_name="李某", complainant_contact="13800000000",
                          channel=ComplaintChannel.PHONE, registered_by="cli:admin")
    db.add(complaint)
    officer = add_user(db, "officer", Role.COMPLAINT_OFFICER, [place.site])
    db.commit()
    return Setting(complaint.id, ours, other, place.site, officer)


def employ(db: Session, user: User, organisation_id: int | None,
           conflict_with: int | None = None) -> None:
    """The user's supervisor-pool record: employed by ``organisation_id``, with a declared
    conflict with ``conflict_with``."""
    person = Supervisor(user_id=user.id, name=user.username, region_code=XIAMEN,
                        organisation_id=organisation_id)
    db.add(person)
    db.flush()
    if conflict_with is not None:
        db.add(SupervisorConflict(supervisor_id=person.id, kind=ConflictKind.RELATIVE,
                                  organisation_id=conflict_with, person="王某"))
    db.commit()


def test_an_officer_of_the_site_reads_handles_and_sees_the_complainant(
        db: Session, setting: Setting) -> None:
    scope = load_scope(db, setting.site_user)
    complaint = handled_complaint(db, scope, setting.complaint)
    assert readable_complaint(db, scope, setting.complaint) is complaint
    assert sees_complainant(scope, member_organisations(db, scope.user_id), complaint)


@pytest.mark.parametrize(("employer", "conflict"), [("ours", None), (None, "ours"),
                                                    ("other", "ours")])
def test_an_officer_belonging_to_the_organisation_must_recuse(
        db: Session, setting: Setting, employer: str | None, conflict: str | None) -> None:
    ids = {"ours": setting.organisation, "other": setting.other, None: None}
    employ(db, setting.site_user, ids[employer], ids[conflict])
    scope = load_scope(db, setting.site_user)
    members = member_organisations(db, scope.user_id)
    assert setting.organisation in members
    complaint = readable_complaint(db, scope, setting.complaint)  # reading stays allowed
    assert not sees_complainant(scope, members, complaint)
    with pytest.raises(Forbidden, match="must recuse \\(回避\\)"):
        handled_complaint(db, scope, setting.complaint)


def test_a_conflict_with_another_organisation_does_not_recuse(db: Session,
                                                             setting: Setting) -> None:
    employ(db, setting.site_user, setting.other, setting.other)
    scope = load_scope(db, setting.site_user)
    assert member_organisations(db, scope.user_id) == {setting.other}
    assert handled_complaint(db, scope, setting.complaint).id == setting.complaint


def test_outside_the_scope_a_complaint_cannot_be_read(db: Session, setting: Setting) -> None:
    stranger = load_scope(db, add_user(db, "elsewhere", Role.COMPLAINT_OFFICER, []))
    with pytest.raises(Forbidden, match="its organisation is outside their scope"):
        readable_complaint(db, stranger, setting.complaint)
    with pytest.raises(NotFound, match="complaint 999 does not exist"):
        readable_complaint(db, stranger, 999)


@pytest.mark.parametrize(("role", "reads"), [(Role.ORG_OPERATOR, True), (Role.AUDITOR, True),
                                             (Role.SUPERVISOR, False)])
def test_roles_that_may_not_handle_never_see_the_complainant(
        db: Session, setting: Setting, role: Role, reads: bool) -> None:
    user = add_user(db, f"user-{role.value}", role, [setting.site])
    db.commit()
    scope = load_scope(db, user)
    with pytest.raises(Forbidden, match=f"role '{role.value}' may not handle complaints"):
        handled_complaint(db, scope, setting.complaint)
    if reads:
        complaint = readable_complaint(db, scope, setting.complaint)
        assert not sees_complainant(scope, frozenset(), complaint)
    else:
        with pytest.raises(Forbidden, match="may not read complaints"):
            readable_complaint(db, scope, setting.complaint)


def test_the_administrator_reads_every_complaint(db: Session, setting: Setting) -> None:
    admin = load_scope(db, add_user(db, "root2", Role.ADMIN, []))
    assert readable_complaint(db, admin, setting.complaint).organisation_id == \
        setting.organisation
