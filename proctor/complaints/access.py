"""Who may read and handle which complaint, and who may see who complained.

- **Read** (``READ_COMPLAINTS``): administrators every complaint; anyone else the complaints
  about organisations with a site in their scope (granted directly or through a region, as
  for batches).
- **Handle** (``HANDLE_COMPLAINTS``): the same, and the officer must not *belong* to the
  organisation complained about (回避): it employs them, or they declared a conflict with
  it, in their supervisor-pool record. A member is refused with 403 naming the rule.
- **Complainant identity** (name, contact): only handlers who may handle the complaint see
  it (:func:`sees_complainant`); the accused organisation's operators, auditors and recused
  officers get it redacted in every response. Each view of it is audited by the caller.
"""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from proctor.auth.scope import Permission, Scope
from proctor.db.complaints import Complaint
from proctor.db.models import Site
from proctor.errors import Forbidden, NotFound
from proctor.supervision.oversight import Supervisor, SupervisorConflict


def scoped_complaints(scope: Scope) -> Select[Complaint]:
    """The complaints about organisations in ``scope``, newest first (whether the role may
    read complaints at all is the caller's check)."""
    query = select(Complaint).order_by(Complaint.id.desc())
    if scope.everywhere:
        return query
    return query.where(Complaint.organisation_id.in_(
        select(Site.organisation_id).where(Site.id.in_(scope.site_ids))))


def member_organisations(db: Session, user_id: int) -> frozenset[int]:
    """The organisations a user must recuse from: their employer and the organisations
    of their declared conflicts (近亲属、师生、同事), as their record in the supervisor pool
    gives them. (Site grants are scope, not membership: an officer is granted the sites
    they oversee.)"""
    employer = select(Supervisor.organisation_id).where(Supervisor.user_id == user_id)
    conflicts = select(SupervisorConflict.organisation_id).join(
        Supervisor, Supervisor.id == SupervisorConflict.supervisor_id).where(
        Supervisor.user_id == user_id)
    return frozenset(i for i in db.scalars(employer.union(conflicts)) if i is not None)


def sees_complainant(scope: Scope, members: frozenset[int], complaint: Complaint) -> bool:
    """Whether the caller may see who complained: a handler not belonging to the
    organisation complained about."""
    return scope.can(Permission.HANDLE_COMPLAINTS) and \
        complaint.organisation_id not in members


def readable_complaint(db: Session, scope: Scope, complaint_id: int) -> Complaint:
    """The complaint, if it exists (:class:`NotFound`) and the scope may read it
    (:class:`Forbidden`)."""
    scope.require(Permission.READ_COMPLAINTS)
    complaint = db.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound(f"complaint {complaint_id} does not exist")
    if db.scalar(scoped_complaints(scope).where(Complaint.id == complaint_id)) is None:
        raise Forbidden(f"user '{scope.username}' may not read complaint {complaint_id}: "
                        "its organisation is outside their scope")
    return complaint


def handled_complaint(db: Session, scope: Scope, complaint_id: int) -> Complaint:
    """The complaint, if the scope may handle it: readable, ``HANDLE_COMPLAINTS``, and the
    caller does not belong to the organisation complained about (recusal, 403)."""
    scope.require(Permission.HANDLE_COMPLAINTS)
    complaint = readable_complaint(db, scope, complaint_id)
    require_not_member(db, scope, complaint.organisation_id)
    return complaint


def require_not_member(db: Session, scope: Scope, organisation_id: int) -> None:
    """Raise :class:`Forbidden` (回避) when the caller belongs to the organisation."""
    if organisation_id in member_organisations(db, scope.user_id):
        raise Forbidden(f"user '{scope.username}' belongs to organisation {organisation_id}, "
                        "which the complaint is about, and must recuse (回避): another "
                        "complaint officer handles it")
