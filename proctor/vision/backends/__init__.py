"""Detector backends; each module imports its runtime (torch, onnxruntime, openvino) lazily."""
