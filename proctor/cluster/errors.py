"""What a node answers when a camera is not its to serve."""

from __future__ import annotations

from proctor.errors import ProctorError


class OwnedElsewhere(ProctorError):
    """Another live node serves this camera: the request goes there (HTTP 307)."""

    def __init__(self, camera_id: int, node_id: str, location: str) -> None:
        super().__init__(f"camera {camera_id} is served by node {node_id}: repeat the request "
                         f"at {location} (follow the redirect)")
        self.location = location


class ClusterBusy(ProctorError):
    """No node can take the camera now (all full, or NATS unreachable): HTTP 503 with
    ``Retry-After``."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
