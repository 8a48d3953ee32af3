"""Pre- and post-processing of exported YOLO models without a model: the letterbox fits any
frame into the square input, non-maximum suppression keeps the best of overlapping boxes, and
a raw output decodes to normalised boxes in the frame's own coordinates, mapped classes only."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from proctor.vision.backends.tensor import Letterbox, TensorDetector, letterbox, nms
from proctor.vision.detector import Detection, DetectorSettings
from proctor.vision.manifest import ModelSpec

SIZE = 64
SPEC = ModelSpec(name="fake", source="file:/fake.onnx", sha256="a" * 64, format="onnx",
                 classes={0: "person", 2: "phone"}, imgsz=SIZE)


class FixedOutput(TensorDetector):
    """A backend whose network always answers ``output``; it keeps the tensors it got."""

    type_key = "fixed"
    model_format = "onnx"

    def __init__(self, output: np.ndarray, confidence: float = 0.4) -> None:
        super().__init__(DetectorSettings(imgsz=SIZE, confidence=confidence, threads=1), SPEC,
                         Path("/fake.onnx"))
        self.output = output
        self.tensors: list[np.ndarray] = []

    def _infer(self, tensor: np.ndarray) -> list[np.ndarray]:
        self.tensors.append(tensor)
        return [self.output[None]]


def raw(*anchors: tuple[float, float, float, float, float, float, float]) -> np.ndarray:
    """A raw output (4 + 3 classes, anchors): each anchor is cx, cy, w, h and three scores."""
    return np.array(anchors, dtype=np.float32).T


def test_a_wide_frame_is_scaled_to_fit_and_padded_grey_above_and_below() -> None:
    frame = np.zeros((32, 128, 3), np.uint8)
    frame[..., 2] = 255  # pure red in BGR
    tensor, fit = letterbox(frame, SIZE)
    assert tensor.shape == (1, 3, SIZE, SIZE) and tensor.dtype == np.float32
    assert tensor.flags.c_contiguous
    assert fit == Letterbox(scale=0.5, pad_x=0, pad_y=24, width=128, height=32)
    assert np.allclose(tensor[0, :, 0, 0], 114 / 255)  # padding
    assert np.allclose(tensor[0, :, 32, 32], [1.0, 0.0, 0.0])  # RGB order, 0..1


@given(st.integers(4, 300), st.integers(4, 300))
def test_any_frame_fits_inside_the_input_centred(height: int, width: int) -> None:
    tensor, fit = letterbox(np.full((height, width, 3), 200, np.uint8), SIZE)
    assert tensor.shape == (1, 3, SIZE, SIZE)
    new_h, new_w = round(height * fit.scale), round(width * fit.scale)
    assert max(new_h, new_w) == SIZE  # one side always touches the edges
    top, left = int(fit.pad_y), int(fit.pad_x)
    assert abs((SIZE - new_h - top) - top) <= 1 and abs((SIZE - new_w - left) - left) <= 1
    picture = np.zeros((SIZE, SIZE), bool)
    picture[top:top + new_h, left:left + new_w] = True
    assert np.allclose(tensor[0, 0][picture], 200 / 255)
    assert np.allclose(tensor[0, 0][~picture], 114 / 255)


def test_nms_keeps_the_best_of_overlapping_boxes_and_separate_ones() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 30], [0, 0, 10, 5]],
                     dtype=np.float32)
    scores = np.array([0.6, 0.9, 0.5, 0.7], dtype=np.float32)
    # box 0 overlaps box 1 by 0.81; box 3 overlaps box 1 by 0.4 (kept at 0.5, not at 0.3)
    assert nms(boxes, scores, iou=0.5) == [1, 3, 2]
    assert nms(boxes, scores, iou=0.3) == [1, 2]
    assert nms(boxes[:0], scores[:0], iou=0.5) == []


@given(st.lists(st.tuples(st.floats(0, 50), st.floats(0, 50), st.floats(1, 50),
                          st.floats(1, 50), st.floats(0.01, 1)), min_size=1, max_size=20))
def test_kept_boxes_never_overlap_beyond_the_threshold(
        items: list[tuple[float, float, float, float, float]]) -> None:
    boxes = np.array([[x, y, x + w, y + h] for x, y, w, h, _ in items], dtype=np.float64)
    scores = np.array([s for *_, s in items])
    keep = nms(boxes, scores, iou=0.5)
    assert keep and len(set(keep)) == len(keep)
    assert scores[keep[0]] == scores.max()
    for i in keep:
        for j in keep:
            if i < j:
                x1, y1 = np.maximum(boxes[i, :2], boxes[j, :2])
                x2, y2 = np.minimum(boxes[i, 2:], boxes[j, 2:])
                inter = max(0.0, x2 - x1) * max(0.0, y2 - y1)
                area = lambda b: (b[2] - b[0]) * (b[3] - b[1])  # noqa: E731
                assert inter / (area(boxes[i]) + area(boxes[j]) - inter) <= 0.5 + 1e-6


def test_a_raw_output_decodes_to_frame_coordinates_mapped_classes_only() -> None:
    detector = FixedOutput(raw(
        (32, 32, 32, 16, 0.9, 0.0, 0.1),  # a person filling the middle of the frame
        (8, 24, 8, 8, 0.1, 0.0, 0.8),  # a phone at the left edge
        (50, 30, 4, 4, 0.0, 0.99, 0.0),  # class 1 is not mapped: ignored
        (40, 40, 4, 4, 0.39, 0.0, 0.0),  # below the confidence threshold
    ))
    (detections,) = detector.detect([np.zeros((32, 64, 3), np.uint8)])  # padded 16 above
    assert [d.label for d in detections] == ["person", "phone"]
    person, phone = detections
    assert person.confidence == pytest.approx(0.9)
    assert person.box == pytest.approx((0.25, 0.25, 0.75, 0.75))
    assert phone.box == pytest.approx((4 / 64, 4 / 32, 12 / 64, 12 / 32))
    assert detector.tensors[0].shape == (1, 3, SIZE, SIZE)


def test_boxes_reaching_into_the_padding_are_clipped_to_the_frame() -> None:
    detector = FixedOutput(raw((32, 16, 80, 40, 0.8, 0.0, 0.0)))
    (detections,) = detector.detect([np.zeros((32, 64, 3), np.uint8)])
    assert detections == [Detection("person", pytest.approx(0.8), (0.0, 0.0, 1.0, 0.625))]


def test_overlapping_boxes_of_different_labels_are_suppressed_class_agnostically() -> None:
    detector = FixedOutput(raw((32, 32, 20, 20, 0.9, 0.0, 0.0),
                               (33, 32, 20, 20, 0.0, 0.0, 0.7)))
    (detections,) = detector.detect([np.zeros((64, 64, 3), np.uint8)])
    assert [d.label for d in detections] == ["person"]


def test_each_frame_gets_its_own_detections() -> None:
    detector = FixedOutput(raw((32, 32, 20, 20, 0.9, 0.0, 0.0)), confidence=0.95)
    assert detector.detect([np.zeros((64, 64, 3), np.uint8)] * 3) == [[], [], []]
    assert len(detector.tensors) == 3
