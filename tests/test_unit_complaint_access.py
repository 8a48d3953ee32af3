"""Who may read and handle a complaint, on a real (SQLite) directory: scope by the
organisation's sites, the role's permissions, and recusal (回避) of an officer employed by
the organisation or who declared a conflict with it; who sees the complainant; and the
complaint's attachments (kept under retention, downloaded by handlers only, audited)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

import pytest
from sqlalchemy import select
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
from proctor.complaints.attachments import (
    DOWNLOADED,
    Upload,
    attachment_content,
    attachments_of,
    store_attachments,
)
from proctor.db.complaints import Complaint, ComplaintChannel
from proctor.db.models import AuditEntry, Role, Site, User
from proctor.errors import Forbidden, NotFound
from proctor.recording.retention import retain_until
from proctor.recording.store import ObjectStore, StoredObject, StoreNotConfigured
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


class MemoryStore:
    """The store's locked puts and reads, in a dict (the real adapter is tested against
    SeaweedFS in the slow tests)."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}
        self.puts: list[tuple[str, datetime, str]] = []  # key, retain until, media type

    def put_locked(self, key: str, data: bytes, retain_until: datetime,
                   content_type: str = "application/octet-stream") -> StoredObject:
        version = f"v{len(self.objects) + 1}"
        self.objects[key, version] = data
        self.puts.append((key, retain_until, content_type))
        return StoredObject(key, version, "etag")

    def read(self, key: str, version_id: str) -> bytes:
        return self.objects[key, version_id]


NOW = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
PHOTO, NOTE = Upload(b"\xff\xd8 photo", "image/jpeg"), Upload(b"%PDF note", "application/pdf")


def test_attachments_are_locked_for_the_retention_and_recorded_in_order(
        db: Session, setting: Setting) -> None:
    complaint = db.get_one(Complaint, setting.complaint)
    store_attachments(db, None, complaint, [], NOW, 5)  # nothing to keep: no store needed
    with pytest.raises(StoreNotConfigured, match="complaint attachments need the object"):
        store_attachments(db, None, complaint, [PHOTO], NOW, 5)
    store = MemoryStore()
    store_attachments(db, cast(ObjectStore, store), complaint, [PHOTO, NOTE], NOW, 5)
    rows = attachments_of(db, setting.complaint)
    assert [(r.media_type, r.size, r.sha256) for r in rows] == [
        (u.media_type, len(u.data), hashlib.sha256(u.data).hexdigest()) for u in (PHOTO, NOTE)]
    assert [key for key, _, _ in store.puts] == [
        f"complaints/{setting.complaint}/{n}-{hashlib.sha256(u.data).hexdigest()[:16]}"
        for n, u in ((1, PHOTO), (2, NOTE))]
    assert {until for _, until, _ in store.puts} == {retain_until(NOW, 5)}
    assert [media for _, _, media in store.puts] == ["image/jpeg", "application/pdf"]


def test_only_a_handler_downloads_an_attachment_and_it_is_audited(
        db: Session, setting: Setting) -> None:
    store = MemoryStore()
    complaint = db.get_one(Complaint, setting.complaint)
    store_attachments(db, cast(ObjectStore, store), complaint, [PHOTO], NOW, 5)
    db.commit()
    [row] = attachments_of(db, setting.complaint)
    handler = load_scope(db, setting.site_user)
    found, data = attachment_content(db, cast(ObjectStore, store), handler, complaint.id, row.id)
    assert (found.id, data) == (row.id, PHOTO.data)
    audited = db.scalars(select(AuditEntry).where(AuditEntry.action == DOWNLOADED)).all()
    assert [(e.target, e.detail["sha256"]) for e in audited] == [
        (f"complaint:{complaint.id}", row.sha256)]
    with pytest.raises(NotFound, match=f"complaint {complaint.id} has no attachment 999"):
        attachment_content(db, cast(ObjectStore, store), handler, complaint.id, 999)
    auditor = load_scope(db, add_user(db, "auditor", Role.AUDITOR, [setting.site]))
    with pytest.raises(Forbidden, match="may not handle complaints"):
        attachment_content(db, None, auditor, complaint.id, row.id)  # refused before the store
