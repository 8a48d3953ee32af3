"""The supervisor pool (质量督导员库): register, list and deactivate supervisors of a region,
and the conflicts of interest (近亲属、师生、同事) they declare.

A supervisor belongs to a region (GB/T 2260 code), holds a qualification number (资格证号),
may work for an organisation of their own (recusal: ``same_organisation``) and may be linked
to a console user with the supervisor role (the scope a draw gives goes to that user). A
supervisor is never deleted: past draws name them; deactivating takes them out of future
draws. A conflict names exactly one organisation or one person (by name, as the roster
lists people). Every change is audited.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor import audit
from proctor.actor import Actor
from proctor.db.models import Role, User
from proctor.db.organisations import Organisation, Region
from proctor.errors import Conflict, InvalidInput, NotFound
from proctor.organisations.text import clean_text
from proctor.supervision.oversight import Supervisor, SupervisorConflict
from proctor.supervision.recusal import ConflictKind, region_contains


def get_supervisor(db: Session, supervisor_id: int) -> Supervisor:
    """The supervisor, or :class:`NotFound`."""
    supervisor = db.get(Supervisor, supervisor_id)
    if supervisor is None:
        raise NotFound(f"supervisor {supervisor_id} does not exist")
    return supervisor


def _require_organisation(db: Session, organisation_id: int) -> None:
    if db.get(Organisation, organisation_id) is None:
        raise NotFound(f"organisation {organisation_id} does not exist")


def _check_user(db: Session, user_id: int) -> None:
    """The user exists, has the supervisor role and is not linked to another supervisor."""
    user = db.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist")
    if user.role is not Role.SUPERVISOR:
        raise InvalidInput(f"user {user_id} has the role {user.role.value}; only a user with "
                           "the supervisor role can be linked to a supervisor")
    taken = db.scalar(select(Supervisor.id).where(Supervisor.user_id == user_id))
    if taken is not None:
        raise Conflict(f"user {user_id} is already linked to supervisor {taken}")


def _check_qualification(db: Session, number: str) -> str:
    text = clean_text(number, "qualification number")
    taken = db.scalar(select(Supervisor.id).where(Supervisor.qualification_number == text))
    if taken is not None:
        raise Conflict(f"qualification number {text!r} is already held by supervisor {taken}")
    return text


def add_supervisor(db: Session, actor: Actor, name: str, region_code: str,
                   qualification_number: str, organisation_id: int | None = None,
                   user_id: int | None = None) -> Supervisor:
    """Register an active supervisor in the pool of ``region_code``."""
    label = clean_text(name, "supervisor name")
    if db.get(Region, region_code) is None:
        raise NotFound(f"region {region_code!r} is not registered")
    number = _check_qualification(db, qualification_number)
    if organisation_id is not None:
        _require_organisation(db, organisation_id)
    if user_id is not None:
        _check_user(db, user_id)
    supervisor = Supervisor(name=label, region_code=region_code, qualification_number=number,
                            organisation_id=organisation_id, user_id=user_id, is_active=True)
    db.add(supervisor)
    db.flush()
    audit.record(db, actor, "supervisor.create", f"supervisor:{supervisor.id}", name=label,
                 region=region_code, qualification_number=number,
                 organisation=organisation_id, user=user_id)
    return supervisor


def list_supervisors(db: Session, region_code: str | None = None,
                     active_only: bool = False) -> list[Supervisor]:
    """The supervisors (by id) registered in ``region_code`` or below it, or all of them."""
    query = select(Supervisor).order_by(Supervisor.id)
    if active_only:
        query = query.where(Supervisor.is_active.is_(True))
    rows = list(db.scalars(query))
    if region_code is None:
        return rows
    if db.get(Region, region_code) is None:
        raise NotFound(f"region {region_code!r} is not registered")
    return [s for s in rows if region_contains(region_code, s.region_code)]


def deactivate_supervisor(db: Session, actor: Actor, supervisor_id: int,
                          reason: str) -> Supervisor:
    """Take a supervisor out of future draws (past draws still name them). Their assigned
    batches' access ends with it (the scope gives an inactive supervisor nothing)."""
    supervisor = get_supervisor(db, supervisor_id)
    why = clean_text(reason, "reason")
    if not supervisor.is_active:
        raise Conflict(f"supervisor {supervisor_id} is already inactive")
    supervisor.is_active = False
    db.flush()
    audit.record(db, actor, "supervisor.deactivate", f"supervisor:{supervisor.id}", reason=why)
    return supervisor


def declare_conflict(db: Session, actor: Actor, supervisor_id: int, kind: ConflictKind,
                     organisation_id: int | None = None,
                     person: str | None = None) -> SupervisorConflict:
    """Record a conflict of interest with exactly one organisation or one person (a name
    as rosters list it)."""
    supervisor = get_supervisor(db, supervisor_id)
    if (organisation_id is None) == (person is None):
        raise InvalidInput("a conflict names exactly one organisation (organisation_id) or "
                           "one person (person)")
    if organisation_id is not None:
        _require_organisation(db, organisation_id)
    name = clean_text(person, "person") if person is not None else ""
    row = SupervisorConflict(supervisor_id=supervisor.id, kind=kind,
                             organisation_id=organisation_id, person=name)
    db.add(row)
    db.flush()
    audit.record(db, actor, "supervisor.conflict", f"supervisor:{supervisor.id}",
                 conflict=row.id, kind=kind.value, organisation=organisation_id,
                 person=name or None)
    return row


def list_conflicts(db: Session, supervisor_id: int) -> list[SupervisorConflict]:
    """The conflicts a supervisor declared, oldest first."""
    get_supervisor(db, supervisor_id)
    return list(db.scalars(select(SupervisorConflict).where(
        SupervisorConflict.supervisor_id == supervisor_id).order_by(SupervisorConflict.id)))
