"""Shared pre- and post-processing for models run outside torch (ONNX Runtime, OpenVINO).

YOLO (v8/11), ``arch = "yolo"``: letterbox to a square of ``imgsz`` (grey 114 padding, as
ultralytics), RGB, 0..1, NCHW; the raw output (1, 4 + classes, anchors) of centre-xywh boxes
and class scores is filtered to the mapped classes, thresholded, and class-agnostic NMS is
applied. NanoDet, ``arch = "nanodet"``: :mod:`proctor.vision.backends.nanodet`.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import cv2
import numpy as np

from proctor.vision.detector import Detection, Detector, as_box

if TYPE_CHECKING:
    from proctor.vision.backends.nanodet import NanoDetCodec


@dataclass(frozen=True)
class Letterbox:
    """How a frame was fitted into the model input: scale and padding, in input pixels."""

    scale: float
    pad_x: float
    pad_y: float
    width: int
    height: int


def letterbox(frame: np.ndarray, size: int) -> tuple[np.ndarray, Letterbox]:
    """The frame as a (1, 3, size, size) float32 RGB tensor, and how it was fitted."""
    height, width = frame.shape[:2]
    scale = min(size / height, size / width)
    new_w, new_h = round(width * scale), round(height * scale)
    pad_x, pad_y = (size - new_w) / 2, (size - new_h) / 2
    resized = cv2.resize(frame, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
    top, left = round(pad_y - 0.1), round(pad_x - 0.1)
    canvas = np.full((size, size, 3), 114, np.uint8)
    canvas[top:top + new_h, left:left + new_w] = resized
    tensor = canvas[..., ::-1].transpose(2, 0, 1)[None].astype(np.float32) / 255.0
    return np.ascontiguousarray(tensor), Letterbox(scale, left, top, width, height)


def nms(boxes: np.ndarray, scores: np.ndarray, iou: float) -> list[int]:
    """Indices kept by greedy non-maximum suppression (boxes xyxy), best first."""
    order = scores.argsort()[::-1]
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    keep: list[int] = []
    while order.size:
        best, rest = order[0], order[1:]
        keep.append(int(best))
        x1 = np.maximum(boxes[best, 0], boxes[rest, 0])
        y1 = np.maximum(boxes[best, 1], boxes[rest, 1])
        x2 = np.minimum(boxes[best, 2], boxes[rest, 2])
        y2 = np.minimum(boxes[best, 3], boxes[rest, 3])
        inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
        order = rest[inter / (areas[best] + areas[rest] - inter + 1e-9) <= iou]
    return keep


class TensorDetector(Detector):
    """A backend that only runs the network on a letterboxed tensor; this class does the rest."""

    @abstractmethod
    def _infer(self, tensor: np.ndarray) -> list[np.ndarray]:
        """The raw network outputs for a (1, 3, height, width) input tensor."""

    def detect(self, frames: list[np.ndarray]) -> list[list[Detection]]:
        """Detections per frame (frames run one at a time; CPU batching gains nothing)."""
        if self.spec.arch == "nanodet":
            codec = self._nanodet
            return [codec.decode(self._infer(codec.prepare(frame))) for frame in frames]
        results = []
        for frame in frames:
            tensor, fitted = letterbox(frame, self.settings.imgsz)
            results.append(self._decode(self._infer(tensor)[0][0], fitted))
        return results

    @cached_property
    def _nanodet(self) -> NanoDetCodec:
        from proctor.vision.backends.nanodet import NanoDetCodec

        return NanoDetCodec(self.spec, self.settings)

    def _decode(self, output: np.ndarray, fitted: Letterbox) -> list[Detection]:
        class_ids = np.array(list(self.spec.classes), dtype=int)
        scores_all = output[4 + class_ids]
        best = scores_all.argmax(axis=0)
        scores = scores_all[best, np.arange(output.shape[1])]
        keep = scores >= self.settings.confidence
        cx, cy, w, h = output[:4, keep]
        boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
        scores, labels = scores[keep], class_ids[best[keep]]
        boxes -= [fitted.pad_x, fitted.pad_y, fitted.pad_x, fitted.pad_y]
        boxes /= [fitted.scale * fitted.width, fitted.scale * fitted.height] * 2
        boxes = boxes.clip(0, 1)
        return [Detection(self.spec.classes[int(labels[i])], float(scores[i]),
                          as_box(boxes[i]))
                for i in nms(boxes, scores, self.settings.iou)]
