"""ONNX models on onnxruntime's CPU provider."""

from __future__ import annotations

from pathlib import Path
from typing import Final, Literal

import numpy as np

from proctor.vision.backends.tensor import TensorDetector
from proctor.vision.detector import DetectorSettings
from proctor.vision.manifest import ModelSpec

DETECTOR_KEY: Final = "onnx"


class OnnxConfig(DetectorSettings):
    """Run an ``.onnx`` model (exported or imported) with onnxruntime."""

    type: Literal["onnx"] = DETECTOR_KEY


class OnnxDetector(TensorDetector):
    """onnxruntime session with intra-op threads = the configured CPU threads, not spinning."""

    type_key = DETECTOR_KEY
    model_format = "onnx"

    def __init__(self, settings: DetectorSettings, spec: ModelSpec, weights: Path) -> None:
        super().__init__(settings, spec, weights)
        try:
            import onnxruntime as ort
        except ImportError as error:
            raise RuntimeError("onnxruntime is not installed: pip install onnxruntime") from error
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        # Idle pool threads sleep instead of spinning: on a small server the cores are
        # shared with decoding and the analyzer, and spinning cost ~50 % more CPU per frame
        # there (docs/vision.md, capacity).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(weights), options,
                                             providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name

    def _infer(self, tensor: np.ndarray) -> list[np.ndarray]:
        # onnxruntime is untyped: run() returns one numpy array per output
        outputs: list[np.ndarray] = self._session.run(None, {self._input: tensor})
        return outputs
