"""PyTorch weights through ultralytics' own predictor."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

import numpy as np

from proctor.vision.detector import Detection, Detector, DetectorSettings, as_box
from proctor.vision.manifest import ModelSpec
from proctor.vision.runtime import offline_ultralytics, use_torch_threads

if TYPE_CHECKING:
    from ultralytics.engine.results import Boxes

DETECTOR_KEY: Final = "ultralytics-pt"


class UltralyticsPtConfig(DetectorSettings):
    """Run a ``.pt`` model with ultralytics on CPU."""

    type: Literal["ultralytics-pt"] = DETECTOR_KEY


class UltralyticsPtDetector(Detector):
    """ultralytics ``YOLO.predict`` with class-agnostic NMS over the mapped classes."""

    type_key = DETECTOR_KEY
    model_format = "pt"

    def __init__(self, settings: DetectorSettings, spec: ModelSpec, weights: Path) -> None:
        super().__init__(settings, spec, weights)
        self._model = offline_ultralytics().YOLO(str(weights), task="detect")
        self.detect([np.zeros((settings.imgsz, settings.imgsz, 3), np.uint8)])  # loads, warms up

    def detect(self, frames: list[np.ndarray]) -> list[list[Detection]]:
        """Detections per frame (one batched ``predict`` call)."""
        if not frames:
            return []
        results = self._model.predict(
            frames, imgsz=self.settings.imgsz, conf=self.settings.confidence,
            iou=self.settings.iou, classes=list(self.spec.classes), agnostic_nms=True,
            device="cpu", verbose=False)
        use_torch_threads(self.threads)  # the first predict resets threads to cores - 1
        return [self._convert(result.boxes) for result in results]

    def _convert(self, boxes: Boxes) -> list[Detection]:
        return [Detection(self.spec.classes[int(cls)], float(conf), as_box(xyxy))
                for cls, conf, xyxy in zip(boxes.cls.tolist(), boxes.conf.tolist(),
                                           boxes.xyxyn.tolist(), strict=False)]
