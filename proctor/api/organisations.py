"""Certification organisations (认定机构) and the sites they run (administrators only)."""

from __future__ import annotations

from fastapi import status

from proctor.actor import Actor
from proctor.api.deps import CurrentUser, SessionDep, guarded_router
from proctor.api.organisation_schemas import (
    OrganisationCreate,
    OrganisationPublic,
    OrganisationUpdate,
    SiteOrganisation,
    SiteOrganisationPublic,
)
from proctor.api.params import Id
from proctor.auth.scope import Permission
from proctor.organisations import organisations
from proctor.organisations.organisations import OrganisationChanges

router = guarded_router("organisations", Permission.MANAGE_DIRECTORY)


@router.post("/organisations", status_code=status.HTTP_201_CREATED)
def create_organisation(body: OrganisationCreate, db: SessionDep,
                        user: CurrentUser) -> OrganisationPublic:
    """Register an organisation in a district (400 for a province or city, 409 for a name
    already registered)."""
    created = organisations.create_organisation(
        db, Actor.user(user.id), body.name, body.kind, body.region_code,
        body.registration_number, body.head_name)
    return OrganisationPublic.model_validate(created)


@router.get("/organisations")
def list_organisations(db: SessionDep) -> list[OrganisationPublic]:
    """Every organisation, by id."""
    return [OrganisationPublic.model_validate(organisation)
            for organisation in organisations.list_organisations(db)]


@router.patch("/organisations/{organisation_id}")
def update_organisation(organisation_id: Id, body: OrganisationUpdate, db: SessionDep,
                        user: CurrentUser) -> OrganisationPublic:
    """Change an organisation's name, kind, district, registration number or head."""
    changes = OrganisationChanges(**body.model_dump(exclude_none=True))
    updated = organisations.update_organisation(db, Actor.user(user.id), organisation_id,
                                                changes)
    return OrganisationPublic.model_validate(updated)


@router.put("/sites/{site_id}/organisation")
def attach_site(site_id: Id, body: SiteOrganisation, db: SessionDep,
                user: CurrentUser) -> SiteOrganisationPublic:
    """Make a site belong to an organisation (or to none): users granted its region see
    it from now on."""
    site = organisations.attach_site(db, Actor.user(user.id), site_id, body.organisation_id)
    return SiteOrganisationPublic.model_validate(site)
