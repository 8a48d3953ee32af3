"""OpenVINO IR models (``proctor models export NAME --format openvino``) on the CPU plugin."""

from __future__ import annotations

from pathlib import Path
from typing import Final, Literal

import numpy as np

from proctor.vision.backends.tensor import TensorDetector
from proctor.vision.detector import DetectorSettings
from proctor.vision.manifest import ModelSpec

DETECTOR_KEY: Final = "openvino"


class OpenVinoConfig(DetectorSettings):
    """Run an OpenVINO IR folder with OpenVINO's CPU plugin (latency mode)."""

    type: Literal["openvino"] = DETECTOR_KEY


class OpenVinoDetector(TensorDetector):
    """OpenVINO compiled model; the IR ``.xml`` is looked up inside the export folder."""

    type_key = DETECTOR_KEY
    model_format = "openvino"

    def __init__(self, settings: DetectorSettings, spec: ModelSpec, weights: Path) -> None:
        super().__init__(settings, spec, weights)
        try:
            import openvino as ov
        except ImportError as error:
            raise RuntimeError("openvino is not installed: pip install openvino") from error
        xml = next(weights.glob("*.xml"), None)
        if xml is None:
            raise RuntimeError(f"{weights} holds no OpenVINO .xml: run "
                               f"`proctor models export {spec.name} --format openvino` again")
        self._model = ov.Core().compile_model(str(xml), "CPU", {
            "PERFORMANCE_HINT": "LATENCY",
            "INFERENCE_NUM_THREADS": self.threads})

    def _infer(self, tensor: np.ndarray) -> list[np.ndarray]:
        results = self._model(tensor)  # openvino is untyped: one array per output, in order
        return [results[output] for output in self._model.outputs]
