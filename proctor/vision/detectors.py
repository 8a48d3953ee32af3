"""Detector configs as one discriminated union on ``type``, and the factory that loads them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, TypeAdapter

from proctor.errors import ProctorError
from proctor.vision.backends.onnx import OnnxConfig, OnnxDetector
from proctor.vision.backends.openvino import OpenVinoConfig, OpenVinoDetector
from proctor.vision.backends.ultralytics_pt import UltralyticsPtConfig, UltralyticsPtDetector
from proctor.vision.detector import Detector
from proctor.vision.manifest import Catalog, ModelSpec, fix_command

DetectorConfig = Annotated[
    UltralyticsPtConfig | OnnxConfig | OpenVinoConfig, Field(discriminator="type")
]
BACKENDS: dict[str, type[Detector]] = {
    cls.type_key: cls for cls in (UltralyticsPtDetector, OnnxDetector, OpenVinoDetector)
}
DEFAULT_BACKEND = "openvino"
PREFERENCE = (DEFAULT_BACKEND, "onnx", "ultralytics-pt")  # measured fastest first
_adapter: TypeAdapter[DetectorConfig] = TypeAdapter(DetectorConfig)


def detector_config(data: dict[str, Any] | None = None, **overrides: Any) -> DetectorConfig:
    """Validate a detector config; ``type`` defaults to :data:`DEFAULT_BACKEND` (or the
    backend the model has a version for, :func:`_default_backend`), ``imgsz``
    to the input size the model was converted or exported for, ``confidence`` to the
    threshold measured for the model when the manifest has one.

    ``None`` overrides are ignored, so CLI options left unset keep the defaults.
    """
    given = {**(data or {}), **{k: v for k, v in overrides.items() if v is not None}}
    merged = {"type": _default_backend(given.get("model")), **given}
    return _adapter.validate_python({**_model_defaults(merged), **merged})


def _default_backend(model: str | None) -> str:
    """:data:`DEFAULT_BACKEND` when the model has a version for it, else the first of
    :data:`PREFERENCE` that has one (a NanoDet pulled as ONNX only runs on ONNX Runtime)."""
    try:
        catalog = Catalog()
    except (OSError, ValueError):
        return DEFAULT_BACKEND
    formats = {s.format for s in catalog.specs() if s.name == (model or catalog.default)}
    return next((key for key in PREFERENCE if BACKENDS[key].model_format in formats),
                DEFAULT_BACKEND)


def _model_defaults(config: dict[str, Any]) -> dict[str, Any]:
    """Settings the catalogue knows for the configured model and backend, if it has it."""
    backend = BACKENDS.get(config["type"])
    if backend is None:
        return {}
    try:
        spec = Catalog().find(config.get("model"), backend.model_format)
    except ProctorError:
        return {}
    defaults: dict[str, Any] = {} if spec.format == "pt" else {"imgsz": spec.imgsz}
    return defaults | ({"confidence": spec.confidence} if spec.confidence else {})


def check_detector(config: DetectorConfig, catalog: Catalog | None = None
                   ) -> tuple[ModelSpec, Path]:
    """The model the config names and its weights, verified by sha256 and input size;
    :class:`ProctorError` saying what to run when they are missing or wrong."""
    catalog = catalog or Catalog()
    spec = catalog.find(config.model, BACKENDS[config.type].model_format)
    weights = catalog.verified_path(spec)
    if spec.format != "pt" and spec.imgsz != config.imgsz:
        raise ProctorError(
            f"{weights.name} was exported for {spec.imgsz} px input, the config asks for "
            f"{config.imgsz}: set imgsz {spec.imgsz} or run "
            f"`{fix_command(spec.model_copy(update={'imgsz': config.imgsz}))}`")
    return spec, weights


def create_detector(config: DetectorConfig, catalog: Catalog | None = None) -> Detector:
    """Load the configured model with the configured backend, weights verified by sha256."""
    spec, weights = check_detector(config, catalog)
    return BACKENDS[config.type](config, spec, weights)
