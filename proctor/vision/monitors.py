"""Per-camera rule state: one :class:`CameraMonitor` per analysed camera, kept in step with
the camera's scene settings and reference picture (changed through the API, the CLI, or
captured automatically from the first good picture), read from a
:class:`~proctor.vision.scene_store.SceneStore`. While a session of a certification batch
uses a camera's room, a :data:`HeadcountSource` (the roster, passed in by the composition
root) replaces the scene's expected headcount, shared between the room's cameras as
:mod:`~proctor.vision.room_headcount` decides."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime
from functools import partial

from proctor.vision.counting import CountFusion
from proctor.vision.monitor import CameraMonitor
from proctor.vision.pictures import encode_jpeg
from proctor.vision.room_headcount import CameraHeadcount, RoomHeadcount, plan_headcounts
from proctor.vision.rules import AnalysisRules
from proctor.vision.scene import SceneSettings
from proctor.vision.scene_store import SceneStore, StoredScene
from proctor.vision.tamper import TamperThresholds
from proctor.vision.transitions import OpenEvent

logger = logging.getLogger(__name__)
SCENE_REFRESH_S = 15.0  # scene changes made outside the API (CLI) apply within this
PEER_WINDOW_S = 10.0  # a room peer's count this close to a sample counts for the room
# each camera's room headcount at a moment by another source (None, or no entry: the
# scene's own value)
HeadcountSource = Callable[[Collection[int], datetime], Mapping[int, RoomHeadcount | None]]


def with_headcount(scene: SceneSettings, plan: CameraHeadcount | None) -> SceneSettings:
    """``scene`` with the planned expectation (unchanged without a plan)."""
    if plan is None:
        return scene
    return scene.model_copy(update={"expected_headcount": plan.expected})


class Monitors:
    """The camera monitors, created on a camera's first sample or restored event."""

    def __init__(self, scenes: SceneStore, rules: AnalysisRules, tamper: TamperThresholds,
                 sees_phones: Callable[[], bool | None],
                 headcount: HeadcountSource | None = None,
                 counting: CountFusion = CountFusion()) -> None:
        self.scenes = scenes
        self.counting = counting
        self.headcount = headcount
        self.rules = rules
        self.tamper = tamper
        self.sees_phones = sees_phones  # None: no model loaded (yet)
        self.continued: set[int] = set()  # cameras with events restored at start
        self._monitors: dict[int, CameraMonitor] = {}
        self._scene_versions: dict[int, datetime | None] = {}
        self._own_scenes: dict[int, SceneSettings] = {}  # as stored, before the roster

    def known(self, camera_id: int) -> CameraMonitor | None:
        """The camera's monitor if it has one."""
        return self._monitors.get(camera_id)

    async def get(self, camera_id: int) -> CameraMonitor:
        """The camera's monitor (created with its stored scene on first use)."""
        monitor = self._monitors.get(camera_id)
        phones = self.sees_phones()
        if monitor is None:
            stored = await asyncio.to_thread(self._load_scene, camera_id)
            monitor = self._monitors[camera_id] = CameraMonitor(
                camera_id, stored.settings, self.rules, bool(phones), stored.reference,
                self.tamper, self.counting)
            await self.apply_headcounts([camera_id])
        elif phones is not None:
            monitor.phone_detection = phones
        return monitor

    async def restore(self, event: OpenEvent) -> None:
        """Continue an event that was open when the server stopped."""
        monitor = await self.get(event.camera_id)
        monitor.restore(event.kind, event.zone, event.started_at, event.peak, event.severity)
        self.continued.add(event.camera_id)

    async def reload_scene(self, camera_id: int) -> None:
        """Apply changed scene settings or reference of a camera (open events carry on)."""
        monitor = self._monitors.get(camera_id)
        if monitor is None:
            return
        stored = await asyncio.to_thread(self._load_scene, camera_id)
        monitor.scene = stored.settings
        monitor.set_reference(stored.reference)
        await self.apply_headcounts([camera_id])

    async def refresh_forever(self) -> None:
        """Every ``SCENE_REFRESH_S``, reload the scenes changed elsewhere (the CLI)."""
        while True:
            await asyncio.sleep(SCENE_REFRESH_S)
            try:
                for camera_id, version in (await asyncio.to_thread(self.scenes.versions)).items():
                    if (camera_id in self._monitors
                            and self._scene_versions.get(camera_id) != version):
                        await self.reload_scene(camera_id)
                await self.apply_headcounts()
            except Exception:  # noqa: BLE001 - e.g. the database is briefly locked: next round
                logger.exception("checking for scene changes failed")

    async def apply_headcounts(self, changed: Collection[int] | None = None) -> None:
        """Give each camera its share of the source's room headcount while it has one
        (:func:`~proctor.vision.room_headcount.plan_headcounts`), and its scene's own value
        again afterwards; ``changed``: only these cameras and their room's (a camera that
        has just started, or whose scene changed), else all."""
        if self.headcount is None:
            return
        cameras = list(self._monitors if changed is None else changed)
        found = await asyncio.to_thread(self.headcount, cameras, datetime.now(UTC))
        rooms: dict[int, RoomHeadcount | None] = {c: found.get(c) for c in cameras}
        for room in [room for room in rooms.values() if room is not None]:
            rooms.update({c: room for c in room.cameras if c in self._monitors})
        plans = plan_headcounts(rooms, self._own_scenes)
        for camera_id, plan in plans.items():
            monitor = self._monitors[camera_id]
            monitor.scene = with_headcount(self._own_scenes[camera_id], plan)
            peers = plan.peers if plan is not None else None
            monitor.room_peers = None if peers is None else partial(self._peer_count, peers)

    def _peer_count(self, peers: tuple[int, ...], at: float) -> int | None:
        """The most people one of ``peers`` counted within :data:`PEER_WINDOW_S` of ``at``."""
        counts = [state.people for peer in peers
                  if (monitor := self._monitors.get(peer)) is not None
                  and (state := monitor.state) is not None and state.people is not None
                  and abs(state.at - at) <= PEER_WINDOW_S]
        return max(counts, default=None)

    async def keep_reference(self, camera_id: int, monitor: CameraMonitor) -> None:
        """Store a reference the monitor captured by itself (the camera had none)."""
        luma, monitor.captured_reference = monitor.captured_reference, None
        if luma is None:
            return
        jpeg = await asyncio.to_thread(encode_jpeg, luma)
        version = await asyncio.to_thread(self.scenes.keep_captured_reference, camera_id, jpeg,
                                          self._scene_versions.get(camera_id))
        if version is None:
            await self.reload_scene(camera_id)
            return
        # the monitor already uses this picture: the refresh loop must not reload the scene
        # (that would throw away the sharpness baseline it is learning)
        self._scene_versions[camera_id] = version
        logger.info("reference picture captured automatically", extra={"camera": camera_id})

    def _load_scene(self, camera_id: int) -> StoredScene:
        stored = self.scenes.load(camera_id)
        self._scene_versions[camera_id] = stored.updated_at
        self._own_scenes[camera_id] = stored.settings
        return stored
