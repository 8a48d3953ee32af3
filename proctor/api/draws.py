"""双随机 draws: supervisors for a batch and batches to inspect (administrators), a stored
draw in full (administrators and auditors), and the organisations not inspected in a year.

A pool that recusal empties answers 409 naming every filter and how many it removed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from proctor.actor import Actor
from proctor.api.deps import CurrentUser, SessionDep, SettingsDep, require_permission
from proctor.api.draw_schemas import DrawCreate, DrawPublic, InspectionDrawCreate
from proctor.api.organisation_schemas import OrganisationPublic
from proctor.api.params import Id
from proctor.auth.scope import Permission
from proctor.supervision import draw_record, draw_service, inspection_service

router = APIRouter(prefix="/api", tags=["draws"])
MANAGE = [Depends(require_permission(Permission.MANAGE_DIRECTORY))]
OVERSEE = [Depends(require_permission(Permission.READ_AUDIT_LOG))]  # administrators, auditors


@router.post("/batches/{batch_id}/draws", status_code=status.HTTP_201_CREATED,
             dependencies=MANAGE)
def draw_supervisors(batch_id: Id, body: DrawCreate, db: SessionDep, user: CurrentUser,
                     settings: SettingsDep) -> DrawPublic:
    """Draw N supervisors for a filed batch: the commitment is audited first, then the
    seed is revealed with the result; the drawn get the batch's cameras and the batch is
    ``supervisors_drawn``. 409: the batch is not filed, or recusal left too few."""
    draw = draw_service.draw_for_batch(db, Actor.user(user.id), batch_id, body.supervisors,
                                       draw_service.draw_rules(settings))
    return DrawPublic.model_validate(draw)


@router.get("/draws/{draw_id}", dependencies=OVERSEE)
def get_draw(draw_id: Id, db: SessionDep) -> DrawPublic:
    """A draw with its snapshot, commitment, seed and result."""
    return DrawPublic.model_validate(draw_record.get_draw(db, draw_id))


@router.post("/inspection-draws", status_code=status.HTTP_201_CREATED, dependencies=MANAGE)
def draw_inspections(body: InspectionDrawCreate, db: SessionDep,
                     user: CurrentUser) -> DrawPublic:
    """Draw the batches of a period to inspect, the first ``on_site`` on site and the rest by
    replay; 409 when the period has fewer filed batches."""
    draw = inspection_service.draw_inspection(db, Actor.user(user.id), body.first_day,
                                              body.last_day, body.on_site, body.replay)
    return DrawPublic.model_validate(draw)


@router.get("/organisations/not-inspected", dependencies=OVERSEE)
def not_inspected(db: SessionDep,
                  year: Annotated[int, Query(ge=2000, le=2100)]) -> list[OrganisationPublic]:
    """The organisations no inspection sample picked a batch of in ``year`` (the rules ask
    for each at least once a year)."""
    return [OrganisationPublic.model_validate(o)
            for o in inspection_service.not_inspected(db, year)]
