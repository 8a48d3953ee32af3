"""Certification organisations (认定机构): each in a district; sites belong to one."""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from proctor import audit
from proctor.actor import ActorRef
from proctor.db.models import Site
from proctor.db.organisations import Organisation, OrganisationKind, RegionLevel
from proctor.directory import get_or_404
from proctor.errors import Conflict, InvalidInput
from proctor.organisations.regions import get_region
from proctor.organisations.text import clean_text


@dataclass(frozen=True)
class OrganisationChanges:
    """What to set of an organisation; ``None`` leaves a field as it is."""

    name: str | None = None
    kind: OrganisationKind | None = None
    region_code: str | None = None
    registration_number: str | None = None  # 备案编号
    head_name: str | None = None  # 主管负责人


def _district(db: Session, code: str) -> str:
    region = get_region(db, code)
    if region.level is not RegionLevel.DISTRICT:
        raise InvalidInput(f"an organisation belongs to a district; region {code} "
                           f"({region.name}) is a {region.level.value}")
    return code


def _flush_or_conflict(db: Session, name: str) -> None:
    try:
        db.flush()
    except IntegrityError as error:
        db.rollback()
        raise Conflict(f"organisation {name!r} already exists") from error


def create_organisation(db: Session, actor: ActorRef, name: str, kind: OrganisationKind,
                        region_code: str, registration_number: str = "",
                        head_name: str = "") -> Organisation:
    """Register an organisation in a district (:class:`InvalidInput` for a province or
    city, :class:`Conflict` for a name already registered)."""
    organisation = Organisation(
        name=clean_text(name, "the organisation's name"), kind=kind,
        region_code=_district(db, region_code),
        registration_number=clean_text(registration_number, "the registration number",
                                        required=False),
        head_name=clean_text(head_name, "the head's name", required=False))
    db.add(organisation)
    _flush_or_conflict(db, organisation.name)
    audit.record(db, actor, "organisation.create", f"organisation:{organisation.id}",
                 name=organisation.name, kind=kind.value, region_code=region_code)
    return organisation


def update_organisation(db: Session, actor: ActorRef, organisation_id: int,
                        changes: OrganisationChanges) -> Organisation:
    """Change what ``changes`` gives; the changed values are audited."""
    organisation = get_or_404(db, Organisation, organisation_id)
    wanted = _checked(db, changes)
    changed = {name: value for name, value in wanted.items()
               if getattr(organisation, name) != value}
    for name, value in changed.items():
        setattr(organisation, name, value)
    if changed:
        _flush_or_conflict(db, str(changed.get("name", organisation.name)))
        audit.record(db, actor, "organisation.update", f"organisation:{organisation.id}",
                     **{name: getattr(value, "value", value) for name, value in changed.items()})
    return organisation


def _checked(db: Session, changes: OrganisationChanges) -> dict[str, object]:
    """The given changes, each validated as on creation."""
    labels = {"name": "the organisation's name", "registration_number":
              "the registration number", "head_name": "the head's name"}
    wanted: dict[str, object] = {}
    for field in fields(changes):
        value = getattr(changes, field.name)
        if value is None:
            continue
        if field.name == "region_code":
            value = _district(db, value)
        elif field.name in labels:
            value = clean_text(value, labels[field.name], required=field.name == "name")
        wanted[field.name] = value
    return wanted


def list_organisations(db: Session) -> list[Organisation]:
    """Every organisation, by id."""
    return list(db.scalars(select(Organisation).order_by(Organisation.id)))


def attach_site(db: Session, actor: ActorRef, site_id: int,
                organisation_id: int | None) -> Site:
    """Make a site belong to an organisation (``None``: to none). Users granted the
    organisation's region see it at once, and those granted the old one no longer do."""
    site = get_or_404(db, Site, site_id)
    if organisation_id is not None:
        get_or_404(db, Organisation, organisation_id)
    if site.organisation_id != organisation_id:
        previous, site.organisation_id = site.organisation_id, organisation_id
        db.flush()
        audit.record(db, actor, "site.attach_organisation", f"site:{site.id}",
                     organisation_id=organisation_id, previous=previous)
    return site
