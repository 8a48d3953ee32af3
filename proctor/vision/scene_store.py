"""How live analysis reads and keeps camera scenes without knowing where they are stored.

Whoever keeps the scenes (:mod:`proctor.scenes.store`) implements :class:`SceneStore`; the
analyzer only reads a camera's scene, notices scenes changed elsewhere by their version
(the time of their last change), and keeps a reference picture it captured by itself.
Calls block (the analyzer makes them in a worker thread).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import numpy as np

from proctor.vision.scene import SceneSettings


@dataclass(frozen=True)
class StoredScene:
    """A camera's scene settings and reference picture (luma), as stored."""

    settings: SceneSettings
    reference: np.ndarray | None
    reference_source: str | None
    reference_at: datetime | None
    updated_at: datetime | None = None  # the version; None: never set (the defaults)


class SceneStore(Protocol):
    """Where the analyzer's camera scenes live."""

    def load(self, camera_id: int) -> StoredScene:
        """The camera's scene; defaults (no rules, no reference) when none was set."""
        ...

    def versions(self) -> dict[int, datetime]:
        """When each stored scene last changed."""
        ...

    def keep_captured_reference(self, camera_id: int, jpeg: bytes,
                                seen: datetime | None) -> datetime | None:
        """Store ``jpeg`` as the camera's reference captured by the analyzer, unless the
        scene changed since version ``seen`` (that change wins: ``None``); returns the new
        version."""
        ...
