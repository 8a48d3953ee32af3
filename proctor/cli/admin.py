"""``proctor admin ...``: register sites, rooms, devices, cameras and users."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor import audit, directory
from proctor.cli import audit_chain, organisations
from proctor.cli.context import JsonOpt, cli_actor, database
from proctor.cli.context import emit as _emit
from proctor.cli.scene import app as scene_app
from proctor.db.base import as_utc
from proctor.db.models import Camera, Device, Role, Room, Site, User
from proctor.errors import NotFound

app = typer.Typer(help="Manage the directory (sites, rooms, devices, cameras, users) and read "
                  "the audit log.", no_args_is_help=True)
site_app = typer.Typer(help="Assessment sites.", no_args_is_help=True)
room_app = typer.Typer(help="Exam rooms.", no_args_is_help=True)
device_app = typer.Typer(help="Edge devices (agents) and their tokens.", no_args_is_help=True)
camera_app = typer.Typer(help="Cameras.", no_args_is_help=True)
user_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
for sub, name in ((site_app, "site"), (room_app, "room"), (device_app, "device"),
                  (camera_app, "camera"), (user_app, "user"), (scene_app, "scene")):
    app.add_typer(sub, name=name)

app.add_typer(organisations.region_app, name="region")
app.add_typer(organisations.org_app, name="org")
user_app.command("grant-region")(organisations.user_grant_region)


@site_app.command("add")
def site_add(name: str, organisation: str = "", address: str = "",
             as_json: JsonOpt = False) -> None:
    """Register a site."""
    with database() as db:
        site = directory.create_site(db, cli_actor(), name, organisation, address)
        _emit({"id": site.id, "name": site.name}, as_json)


@site_app.command("list")
def site_list(as_json: JsonOpt = False) -> None:
    """List sites."""
    with database() as db:
        _emit([{"id": s.id, "name": s.name, "organisation": s.organisation}
               for s in db.scalars(select(Site).order_by(Site.id))], as_json)


@room_app.command("add")
def room_add(site_id: int, name: str, as_json: JsonOpt = False) -> None:
    """Add a room to a site."""
    with database() as db:
        room = directory.create_room(db, cli_actor(), site_id, name)
        _emit({"id": room.id, "site_id": room.site_id, "name": room.name}, as_json)


@room_app.command("list")
def room_list(as_json: JsonOpt = False) -> None:
    """List rooms."""
    with database() as db:
        _emit([{"id": r.id, "site_id": r.site_id, "name": r.name}
               for r in db.scalars(select(Room).order_by(Room.id))], as_json)


@device_app.command("add")
def device_add(site_id: int, name: str, as_json: JsonOpt = False) -> None:
    """Enroll an edge device and print its token (shown only once; put it in agent.toml)."""
    with database() as db:
        device, token = directory.create_device(db, cli_actor(), site_id, name)
        _emit({"id": device.id, "name": device.name, "token": token}, as_json)


@device_app.command("rotate-token")
def device_rotate(device_id: int, as_json: JsonOpt = False) -> None:
    """Issue a new token for a device; the old one stops working at once."""
    with database() as db:
        token = directory.rotate_device_token(db, cli_actor(), device_id)
        _emit({"id": device_id, "token": token}, as_json)


@device_app.command("list")
def device_list(as_json: JsonOpt = False) -> None:
    """List devices (never their tokens)."""
    with database() as db:
        _emit([{"id": d.id, "site_id": d.site_id, "name": d.name, "last_seen_at": d.last_seen_at}
               for d in db.scalars(select(Device).order_by(Device.id))], as_json)


@camera_app.command("add")
def camera_add(
    room_id: int, name: str,
    device: Annotated[int | None, typer.Option(help="id of the device that publishes it")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a camera to a room."""
    with database() as db:
        camera = directory.create_camera(db, cli_actor(), room_id, name, device)
        _emit({"id": camera.id, "room_id": camera.room_id, "device_id": camera.device_id,
               "name": camera.name}, as_json)


@camera_app.command("list")
def camera_list(as_json: JsonOpt = False) -> None:
    """List cameras and the device that publishes each."""
    with database() as db:
        _emit([{"id": c.id, "room_id": c.room_id, "device_id": c.device_id, "name": c.name}
               for c in db.scalars(select(Camera).order_by(Camera.id))], as_json)


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[Role, typer.Option(help="what the user does")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                          envvar="PROCTOR_NEW_USER_PASSWORD")],
    site: Annotated[list[int] | None,
                    typer.Option(help="site id the user may see (repeat)")] = None,
    display_name: str = "",
    as_json: JsonOpt = False,
) -> None:
    """Create a user (the password is prompted for, or read from PROCTOR_NEW_USER_PASSWORD)."""
    with database() as db:
        user = directory.create_user(db, cli_actor(), username, password, role, display_name, site)
        _emit({"id": user.id, "username": user.username, "role": user.role.value}, as_json)


def _user(db: Session, username: str) -> User:
    user = directory.find_user(db, username)
    if user is None:
        raise NotFound(f"user {username!r} does not exist (see `proctor admin user list`)")
    return user


@user_app.command("set-password")
def user_set_password(
    username: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                          envvar="PROCTOR_NEW_USER_PASSWORD")],
) -> None:
    """Set a user's password (prompted, or PROCTOR_NEW_USER_PASSWORD); their sessions end."""
    with database() as db:
        directory.set_password(db, cli_actor(), _user(db, username), password)
    typer.echo(f"password of {username} set; their sessions have ended")


@user_app.command("disable")
def user_disable(username: str) -> None:
    """Refuse a user's logins and end their sessions (e.g. they left the centre)."""
    with database() as db:
        directory.update_user(db, cli_actor(), _user(db, username).id, is_active=False)
    typer.echo(f"{username} disabled; their sessions have ended")


@user_app.command("enable")
def user_enable(username: str) -> None:
    """Let a disabled user log in again."""
    with database() as db:
        directory.update_user(db, cli_actor(), _user(db, username).id, is_active=True)
    typer.echo(f"{username} enabled")


@user_app.command("list")
def user_list(as_json: JsonOpt = False) -> None:
    """List users."""
    with database() as db:
        _emit([{"id": u.id, "username": u.username, "role": u.role.value, "active": u.is_active}
               for u in db.scalars(select(User).order_by(User.id))], as_json)


audit_app = typer.Typer(help="The audit log: read it (newest first), verify its hash chain, "
                        "print its head.", invoke_without_command=True)
app.add_typer(audit_app, name="audit")
audit_app.command("verify")(audit_chain.verify)
audit_app.command("head")(audit_chain.head)


@audit_app.callback()
def audit_log(
    ctx: typer.Context,
    actor: Annotated[str | None, typer.Option(help="who, exactly: user:3, device:2")] = None,
    action: Annotated[str | None, typer.Option(help="what, by prefix: archive., auth.")] = None,
    target: Annotated[str | None, typer.Option(help="on what, exactly: camera:2")] = None,
    since: Annotated[datetime | None, typer.Option(help="at or after (UTC)")] = None,
    limit: Annotated[int, typer.Option(min=1, help="newest entries to show")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """Read the audit log, newest first."""
    if ctx.invoked_subcommand is not None:
        return
    query = audit.AuditQuery(actor=actor, action=action, target=target,
                             since=as_utc(since) if since else None, limit=limit)
    with database() as db:
        _emit([{"id": e.id, "seq": e.seq, "at": e.at.isoformat(timespec="seconds"),
                "actor": e.actor,
                "action": e.action, "target": e.target, "detail": e.detail}
               for e in audit.search(db, query)], as_json)
