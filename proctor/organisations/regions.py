"""Regions (GB/T 2260): registering them with their level and parent checked, listing them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from proctor import audit
from proctor.actor import ActorRef
from proctor.db.models import Site
from proctor.db.organisations import Organisation, Region, RegionLevel
from proctor.errors import Conflict, InvalidInput, NotFound
from proctor.organisations.codes import mismatches, shape_of
from proctor.organisations.text import clean_text


def get_region(db: Session, code: str) -> Region:
    """The region with ``code``, or :class:`NotFound` saying how to add it."""
    region = db.get(Region, code) if len(code) == 6 else None
    if region is None:
        raise NotFound(f"region {code!r} does not exist (add it with `proctor admin region "
                       "add` or POST /api/regions)")
    return region


def create_region(db: Session, actor: ActorRef, code: str, name: str,
                  level: RegionLevel | None = None, parent_code: str | None = None) -> Region:
    """Register a region. Its level and parent follow from the code's shape; a ``level``
    or ``parent_code`` given must agree with it (:class:`InvalidInput` naming every
    mismatch), and the parent must already be registered."""
    try:
        shape = shape_of(code)
    except ValueError as error:
        raise InvalidInput(str(error)) from error
    problems = mismatches(shape, level, parent_code)
    if problems:
        raise InvalidInput("; ".join(problems))
    if shape.parent_code is not None and db.get(Region, shape.parent_code) is None:
        raise InvalidInput(f"the parent region {shape.parent_code} of {code} is not "
                           "registered: add it first")
    if db.get(Region, code) is not None:
        raise Conflict(f"region {code} already exists")
    region = Region(code=code, name=clean_text(name, "the region's name"), level=shape.level,
                    parent_code=shape.parent_code)
    db.add(region)
    try:
        db.flush()
    except IntegrityError as error:  # registered by someone else meanwhile
        db.rollback()
        raise Conflict(f"region {code} already exists") from error
    audit.record(db, actor, "region.create", f"region:{code}", name=region.name,
                 level=shape.level.value, parent_code=shape.parent_code)
    return region


def list_regions(db: Session) -> list[Region]:
    """Every region, by code (so each parent comes before its children)."""
    return list(db.scalars(select(Region).order_by(Region.code)))


def site_districts(db: Session, site_ids: Iterable[int]) -> dict[int, Region]:
    """The district of each site's organisation, by site id (a site without an
    organisation is left out)."""
    rows = db.execute(select(Site.id, Region)
                      .join(Organisation, Site.organisation_id == Organisation.id)
                      .join(Region, Region.code == Organisation.region_code)
                      .where(Site.id.in_(set(site_ids))))
    return {site_id: region for site_id, region in rows}
