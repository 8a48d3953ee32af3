"""Region grants: a user granted a region sees every site of every organisation in it or
below it (see :func:`proctor.auth.scope.region_site_ids`)."""

from __future__ import annotations

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from proctor import audit
from proctor.actor import ActorRef
from proctor.db.models import User
from proctor.db.organisations import Region, RegionGrant
from proctor.directory import get_or_404
from proctor.errors import NotFound
from proctor.organisations.regions import get_region


def grant_region(db: Session, actor: ActorRef, user_id: int, region_code: str) -> Region:
    """Give a user a region (granting it again changes nothing and is not audited again)."""
    get_or_404(db, User, user_id)
    region = get_region(db, region_code)
    if db.get(RegionGrant, (user_id, region.code)) is None:
        db.add(RegionGrant(user_id=user_id, region_code=region.code))
        db.flush()
        audit.record(db, actor, "user.grant_region", f"user:{user_id}",
                     region_code=region.code)
    return region


def revoke_region(db: Session, actor: ActorRef, user_id: int, region_code: str) -> None:
    """Take a region from a user; their live viewing that depended on it ends at once."""
    get_or_404(db, User, user_id)
    removed = db.execute(delete(RegionGrant).where(RegionGrant.user_id == user_id,
                                                   RegionGrant.region_code == region_code))
    assert isinstance(removed, CursorResult)  # a DELETE without RETURNING; typed as any Result
    if not removed.rowcount:
        raise NotFound(f"user {user_id} has no grant of region {region_code!r}")
    audit.record(db, actor, "user.revoke_region", f"user:{user_id}", region_code=region_code)


def region_grants(db: Session, user_id: int) -> list[Region]:
    """The regions granted to a user, by code."""
    get_or_404(db, User, user_id)
    return list(db.scalars(select(Region).join(RegionGrant)
                           .where(RegionGrant.user_id == user_id).order_by(Region.code)))
