"""Regions (GB/T 2260) and the region grants of users (administrators only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, status

from proctor.actor import Actor
from proctor.api.deps import CurrentUser, SessionDep, guarded_router
from proctor.api.organisation_schemas import (
    RegionCreate,
    RegionGrantCreate,
    RegionPublic,
)
from proctor.api.params import Id
from proctor.auth.scope import Permission
from proctor.organisations import grants, regions

router = guarded_router("regions", Permission.MANAGE_DIRECTORY)
RegionCode = Annotated[str, Path(max_length=16)]


@router.post("/regions", status_code=status.HTTP_201_CREATED)
def create_region(body: RegionCreate, db: SessionDep, user: CurrentUser) -> RegionPublic:
    """Register a region; 400 when the level or parent given disagrees with the code's
    shape or the parent is not registered yet, 409 when it exists."""
    region = regions.create_region(db, Actor.user(user.id), body.code, body.name,
                                   body.level, body.parent_code)
    return RegionPublic.model_validate(region)


@router.get("/regions")
def list_regions(db: SessionDep) -> list[RegionPublic]:
    """Every region, by code."""
    return [RegionPublic.model_validate(region) for region in regions.list_regions(db)]


@router.get("/users/{user_id}/region-grants")
def list_region_grants(user_id: Id, db: SessionDep) -> list[RegionPublic]:
    """The regions granted to a user."""
    return [RegionPublic.model_validate(r) for r in grants.region_grants(db, user_id)]


@router.post("/users/{user_id}/region-grants", status_code=status.HTTP_201_CREATED)
def grant_region(user_id: Id, body: RegionGrantCreate, db: SessionDep,
                 user: CurrentUser) -> RegionPublic:
    """Let a user see every site of every organisation in the region or below it."""
    region = grants.grant_region(db, Actor.user(user.id), user_id, body.region_code)
    return RegionPublic.model_validate(region)


@router.delete("/users/{user_id}/region-grants/{region_code}",
               status_code=status.HTTP_204_NO_CONTENT)
def revoke_region(user_id: Id, region_code: RegionCode, db: SessionDep,
                  user: CurrentUser) -> None:
    """Take a region from a user; live viewing that depended on it ends at once."""
    grants.revoke_region(db, Actor.user(user.id), user_id, region_code)
