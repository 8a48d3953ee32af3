"""The supervisor pool and declared conflicts (administrators only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, status

from proctor.actor import Actor
from proctor.api.deps import CurrentUser, SessionDep, guarded_router
from proctor.api.draw_schemas import (
    ConflictCreate,
    ConflictPublic,
    Deactivation,
    SupervisorCreate,
    SupervisorPublic,
)
from proctor.api.params import Id
from proctor.auth.scope import Permission
from proctor.supervision import pool

router = guarded_router("supervisors", Permission.MANAGE_DIRECTORY)


@router.post("/supervisors", status_code=status.HTTP_201_CREATED)
def create_supervisor(body: SupervisorCreate, db: SessionDep,
                      user: CurrentUser) -> SupervisorPublic:
    """Register a supervisor in a region's pool; 404 for an unknown region, organisation or
    user, 400 for a user without the supervisor role, 409 for a qualification number or
    user already in the pool."""
    supervisor = pool.add_supervisor(db, Actor.user(user.id), body.name, body.region_code,
                                     body.qualification_number, body.organisation_id,
                                     body.user_id)
    return SupervisorPublic.model_validate(supervisor)


@router.get("/supervisors")
def list_supervisors(
    db: SessionDep,
    region: Annotated[str | None, Query(max_length=16, description="in this region or below")]
    = None,
    active_only: bool = False,
) -> list[SupervisorPublic]:
    """The supervisors, by id."""
    return [SupervisorPublic.model_validate(s)
            for s in pool.list_supervisors(db, region, active_only)]


@router.post("/supervisors/{supervisor_id}/deactivate")
def deactivate_supervisor(supervisor_id: Id, body: Deactivation, db: SessionDep,
                          user: CurrentUser) -> SupervisorPublic:
    """Take a supervisor out of future draws; 409 when already inactive."""
    supervisor = pool.deactivate_supervisor(db, Actor.user(user.id), supervisor_id,
                                            body.reason)
    return SupervisorPublic.model_validate(supervisor)


@router.post("/supervisors/{supervisor_id}/conflicts", status_code=status.HTTP_201_CREATED)
def declare_conflict(supervisor_id: Id, body: ConflictCreate, db: SessionDep,
                     user: CurrentUser) -> ConflictPublic:
    """Declare a conflict (近亲属、师生、同事) with one organisation or one person."""
    row = pool.declare_conflict(db, Actor.user(user.id), supervisor_id, body.kind,
                                body.organisation_id, body.person)
    return ConflictPublic.model_validate(row)


@router.get("/supervisors/{supervisor_id}/conflicts")
def list_conflicts(supervisor_id: Id, db: SessionDep) -> list[ConflictPublic]:
    """The conflicts a supervisor declared."""
    return [ConflictPublic.model_validate(c) for c in pool.list_conflicts(db, supervisor_id)]
