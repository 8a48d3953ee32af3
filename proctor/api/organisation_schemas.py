"""Request and response bodies of regions, organisations, site attachment and region grants.

Codes and texts are only bounded here; their rules (the code's shape, a district for an
organisation, printable text) are the service's, so the API and the CLI refuse the same
things with the same messages (400).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

# re-exported: the other schema modules import them from here
from proctor.api.params import MAX_ID as MAX_ID
from proctor.api.params import RowId as RowId
from proctor.api.schema_base import Body, FromRow
from proctor.db.models import Site
from proctor.db.organisations import Organisation, OrganisationKind, Region, RegionLevel

CodeText = Annotated[str, Field(max_length=16, description="GB/T 2260 code, six digits")]
Text = Annotated[str, Field(max_length=200)]


class RegionCreate(Body):
    """A region to register; level and parent follow from the code and may be left out
    (given, they must agree with it)."""

    code: CodeText
    name: Text
    level: RegionLevel | None = None
    parent_code: CodeText | None = None


class RegionPublic(FromRow[Region]):
    code: str
    name: str
    level: RegionLevel
    parent_code: str | None


class OrganisationCreate(Body):
    name: Text
    kind: OrganisationKind
    region_code: CodeText = Field(description="the district the organisation is in")
    registration_number: Text = Field(default="", description="备案编号")
    head_name: Text = Field(default="", description="主管负责人")


class OrganisationUpdate(Body):
    """What to change of an organisation; fields left out (or null) stay as they are."""

    name: Text | None = None
    kind: OrganisationKind | None = None
    region_code: CodeText | None = None
    registration_number: Text | None = None
    head_name: Text | None = None


class OrganisationPublic(FromRow[Organisation]):
    id: int
    name: str
    kind: OrganisationKind
    region_code: str
    registration_number: str
    head_name: str


class SiteOrganisation(Body):
    organisation_id: RowId | None = Field(description="null: the site belongs to none")


class SiteOrganisationPublic(FromRow[Site]):
    id: int
    name: str
    organisation_id: int | None


class RegionGrantCreate(Body):
    region_code: CodeText
