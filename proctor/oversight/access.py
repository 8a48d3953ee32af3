"""Who may oversee a region: an administrator, or a user whose role views the archive and
who holds a region grant on the region or one above it (a province user oversees its
cities and districts, a city user its districts, a district user only itself). A user
with site grants only, or an organisation's operator, oversees no region (403)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor.auth.scope import Permission, Scope
from proctor.db.organisations import Region, RegionGrant
from proctor.errors import Forbidden, InvalidInput
from proctor.organisations.regions import get_region
from proctor.oversight.regions import Subtree, covering_grant, lineage, subtree


def granted_regions(db: Session, scope: Scope) -> list[str]:
    """The codes of the regions granted to the scope's user, by code."""
    return list(db.scalars(select(RegionGrant.region_code)
                           .where(RegionGrant.user_id == scope.user_id)
                           .order_by(RegionGrant.region_code)))


def overseen_roots(db: Session, scope: Scope) -> list[Region]:
    """The highest regions the scope oversees, by code (where its oversight starts): every
    province for an administrator, else the granted regions that no other grant holds,
    and none for a role that does not view the archive."""
    if scope.everywhere:
        query = select(Region).where(Region.parent_code.is_(None))
    else:
        granted = set(granted_regions(db, scope)) if scope.can(Permission.VIEW_ARCHIVE) else set()
        roots = [code for code in granted if not granted & set(lineage(code)[1:])]
        query = select(Region).where(Region.code.in_(roots))
    return list(db.scalars(query.order_by(Region.code)))


def overseen_region(db: Session, scope: Scope, code: str) -> tuple[Region, Subtree]:
    """The region and its subtree, if it exists (:class:`NotFound`) and the scope may
    oversee it (:class:`Forbidden` naming what the user may oversee)."""
    try:
        tree = subtree(code)
    except ValueError as error:
        raise InvalidInput(str(error)) from error
    region = get_region(db, code)
    if scope.everywhere:
        return region, tree
    granted = granted_regions(db, scope) if scope.can(Permission.VIEW_ARCHIVE) else []
    if covering_grant(granted, code) is None:
        held = ", ".join(granted) or "none"
        raise Forbidden(f"user '{scope.username}' may not oversee region {code}: oversight "
                        f"covers the regions granted to the user and below them (granted: "
                        f"{held})")
    return region, tree
