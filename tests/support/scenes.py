"""A :class:`~proctor.vision.scene_store.SceneStore` in a dict, for tests of the analyzer's
monitors that need no database; it counts its loads, so a test can tell a reload happened."""

from __future__ import annotations

from datetime import UTC, datetime

from proctor.vision.pictures import decode_luma
from proctor.vision.scene import SceneSettings
from proctor.vision.scene_store import StoredScene


class MemoryScenes:
    """A :class:`~proctor.vision.scene_store.SceneStore` in a dict."""

    def __init__(self) -> None:
        self.scenes: dict[int, StoredScene] = {}
        self.loads: dict[int, int] = {}  # camera -> how often it was loaded

    def load(self, camera_id: int) -> StoredScene:
        self.loads[camera_id] = self.loads.get(camera_id, 0) + 1
        return self.scenes.get(camera_id, StoredScene(SceneSettings(), None, None, None))

    def versions(self) -> dict[int, datetime]:
        return {camera_id: scene.updated_at for camera_id, scene in self.scenes.items()
                if scene.updated_at is not None}

    def keep_captured_reference(self, camera_id: int, jpeg: bytes,
                                seen: datetime | None) -> datetime | None:
        current = self.scenes.get(camera_id)
        if (current.updated_at if current else None) != seen:
            return None
        version = datetime.now(UTC)
        settings = current.settings if current else SceneSettings()
        self.scenes[camera_id] = StoredScene(settings, decode_luma(jpeg), "auto", version,
                                             version)
        return version

    def change(self, camera_id: int, settings: SceneSettings) -> datetime:
        """Change the camera's settings as the API or the CLI would; returns the version."""
        version = datetime.now(UTC)
        reference = self.scenes[camera_id].reference if camera_id in self.scenes else None
        self.scenes[camera_id] = StoredScene(settings, reference, None, None, version)
        return version
