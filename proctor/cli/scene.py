"""``proctor admin scene ...``: a camera's expected headcount, zones and reference picture.

A running server picks up changes made here within ``SCENE_REFRESH_S`` seconds
(:mod:`proctor.vision.monitors`); changes through the API apply at once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy.orm import Session

from proctor import audit
from proctor.cli.context import cli_actor, database
from proctor.db.models import Camera
from proctor.errors import NotFound
from proctor.scenes.records import load_scene, save_reference, save_settings
from proctor.vision.scene import SceneSettings, Zone

app = typer.Typer(help="Per-camera scene: expected headcount, seat/invigilator zones, "
                  "tamper reference.", no_args_is_help=True)


def parse_zone(text: str, default_name: str) -> Zone:
    """``NAME=x,y x,y x,y ...`` (or just the corners) as a zone; coordinates are 0..1."""
    name, _, corners = text.rpartition("=") if "=" in text else (default_name, "", text)
    try:
        points = [tuple(float(v) for v in corner.split(",")) for corner in corners.split()]
        return Zone.model_validate({"name": name.strip(), "polygon": points})  # checks each pair
    except (ValueError, ValidationError) as error:
        raise typer.BadParameter(f"{text!r}: write NAME=x,y x,y x,y ... with x and y between "
                                 f"0 and 1 ({error})") from error


def _camera(db: Session, camera_id: int) -> Camera:
    camera = db.get(Camera, camera_id)
    if camera is None:
        raise NotFound(f"camera {camera_id} does not exist (see `proctor admin camera list`)")
    return camera


@app.command("show")
def show(camera_id: int) -> None:
    """Print the camera's scene settings (JSON) and where its reference came from."""
    with database() as db:
        _camera(db, camera_id)
        stored = load_scene(db, camera_id)
        typer.echo(json.dumps({"camera_id": camera_id,
                               "settings": stored.settings.model_dump(mode="json"),
                               "reference_source": stored.reference_source,
                               "reference_at": stored.reference_at}, default=str))


@app.command("set")
def set_scene(
    camera_id: int,
    expected: Annotated[int | None, typer.Option(min=0, help="expected headcount")] = None,
    no_expected: Annotated[bool, typer.Option(help="remove the expected headcount")] = False,
    seat: Annotated[list[str] | None, typer.Option(
        help="seat zone NAME=x,y x,y x,y ... (repeat; replaces all seat zones)")] = None,
    invigilator: Annotated[str | None, typer.Option(
        help="invigilator zone: x,y x,y x,y ... ('none' removes it)")] = None,
) -> None:
    """Change parts of the camera's scene; what is not given stays as it is."""
    with database() as db:
        _camera(db, camera_id)
        settings = load_scene(db, camera_id).settings.model_copy()
        if expected is not None or no_expected:
            settings.expected_headcount = None if no_expected else expected
        if seat:
            settings.seat_zones = [parse_zone(text, f"seat {i}") for i, text in enumerate(seat, 1)]
        if invigilator is not None:
            settings.invigilator_zone = None if invigilator == "none" \
                else parse_zone(invigilator, "invigilator")
        settings = SceneSettings.model_validate(settings.model_dump())  # whole-scene checks
        save_settings(db, camera_id, settings, str(cli_actor()))
        audit.record(db, cli_actor(), "scene.update", f"camera:{camera_id}",
                     settings=settings.model_dump(mode="json"))
        typer.echo(json.dumps(settings.model_dump(mode="json")))


@app.command("reference")
def reference(
    camera_id: int,
    image: Annotated[Path | None, typer.Argument(exists=True, dir_okay=False,
                                                 help="JPEG/PNG of the camera's proper view")]
        = None,
    clear: Annotated[bool, typer.Option(help="forget it; the next good picture becomes it")]
        = False,
) -> None:
    """Set the tamper reference picture from an image file, or clear it."""
    if (image is None) == (not clear):
        raise typer.BadParameter("give an IMAGE or --clear")
    with database() as db:
        _camera(db, camera_id)
        save_reference(db, camera_id, image.read_bytes() if image else None, "operator",
                       str(cli_actor()))
        audit.record(db, cli_actor(), "scene.reference_cleared" if clear else "scene.reference",
                     f"camera:{camera_id}")
        typer.echo("reference cleared" if clear else f"reference set from {image}")
