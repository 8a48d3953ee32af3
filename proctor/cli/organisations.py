"""``proctor admin region|org ...`` and ``proctor admin user grant-region``: the directory
above sites (registered under ``proctor admin`` by :mod:`proctor.cli.admin`)."""

from __future__ import annotations

from typing import Annotated

import typer

from proctor import directory
from proctor.cli.context import JsonOpt, cli_actor, database, emit
from proctor.db.organisations import Organisation, OrganisationKind, Region, RegionLevel
from proctor.errors import NotFound
from proctor.organisations import grants, organisations, regions

region_app = typer.Typer(help="Regions (GB/T 2260: province, city, district).",
                         no_args_is_help=True)
org_app = typer.Typer(help="Certification organisations (认定机构), each in a district.",
                      no_args_is_help=True)


def _region(region: Region) -> dict[str, object]:
    return {"code": region.code, "name": region.name, "level": region.level.value,
            "parent": region.parent_code}


def _organisation(organisation: Organisation) -> dict[str, object]:
    return {"id": organisation.id, "name": organisation.name,
            "kind": organisation.kind.value, "region": organisation.region_code,
            "registration_number": organisation.registration_number,
            "head": organisation.head_name}


@region_app.command("add")
def region_add(
    code: str, name: str,
    level: Annotated[RegionLevel | None, typer.Option(
        help="checked against the code's shape (xx0000 province, xxyy00 city)")] = None,
    parent: Annotated[str | None, typer.Option(help="checked: the code's prefix parent")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Register a region by its six-digit code (its parent must be registered first)."""
    with database() as db:
        emit(_region(regions.create_region(db, cli_actor(), code, name, level, parent)), as_json)


@region_app.command("list")
def region_list(as_json: JsonOpt = False) -> None:
    """List regions by code."""
    with database() as db:
        emit([_region(region) for region in regions.list_regions(db)], as_json)


@org_app.command("add")
def org_add(
    name: str,
    kind: Annotated[OrganisationKind, typer.Option(help="enterprise, college or social_org")],
    region: Annotated[str, typer.Option(help="the district's code")],
    registration_number: Annotated[str, typer.Option(help="备案编号")] = "",
    head: Annotated[str, typer.Option(help="主管负责人")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Register a certification organisation in a district."""
    with database() as db:
        created = organisations.create_organisation(db, cli_actor(), name, kind, region,
                                                    registration_number, head)
        emit(_organisation(created), as_json)


@org_app.command("list")
def org_list(as_json: JsonOpt = False) -> None:
    """List organisations."""
    with database() as db:
        emit([_organisation(o) for o in organisations.list_organisations(db)], as_json)


def user_grant_region(username: str, region: str) -> None:
    """Let a user see every site of every organisation in REGION or below it."""
    with database() as db:
        user = directory.find_user(db, username)
        if user is None:
            raise NotFound(f"user {username!r} does not exist (see `proctor admin user list`)")
        granted = grants.grant_region(db, cli_actor(), user.id, region)
    typer.echo(f"{username} may now see every site in {granted.code} ({granted.name}) "
               "and below it")
