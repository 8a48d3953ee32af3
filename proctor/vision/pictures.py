"""Pictures in and out of JPEG: a camera frame or snapshot to JPEG bytes, and an uploaded
reference image to the grey picture the tamper check compares against."""

from __future__ import annotations

import numpy as np

from proctor.errors import InvalidInput

REFERENCE_MAX_BYTES = 4 * 1024 * 1024


def encode_jpeg(picture: np.ndarray, quality: int = 85) -> bytes:
    """JPEG bytes of a BGR or grey picture."""
    import cv2  # the vision extra; imported here so `proctor admin` works without it

    ok, data = cv2.imencode(".jpg", picture, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return data.tobytes()


def decode_luma(jpeg: bytes) -> np.ndarray:
    """The grey picture of an image file; :class:`InvalidInput` if it is not one."""
    import cv2

    if len(jpeg) > REFERENCE_MAX_BYTES:
        raise InvalidInput(f"reference image is {len(jpeg)} bytes; the limit is "
                           f"{REFERENCE_MAX_BYTES}: send a JPEG or PNG of the camera's view")
    luma = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_GRAYSCALE)
    if luma is None or luma.shape[0] < 96 or luma.shape[1] < 128:
        raise InvalidInput("reference is not a readable image of at least 128x96 pixels: "
                           "send a JPEG or PNG of the camera's view")
    return luma
