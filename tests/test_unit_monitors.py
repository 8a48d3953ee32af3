"""The analyzer's camera monitors without a database or a model: scenes come from an
in-memory :class:`~support.scenes.MemoryScenes`, the roster from a function, the samples are
made here. What is checked: one monitor per camera, kept in step with its scene (reloads,
the periodic refresh, scenes changed elsewhere), restored events, the phone model appearing
late, and the roster's headcount applied, shared through room peers, and withdrawn."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pytest
from support.scenes import MemoryScenes
from support.wait import wait_until

from proctor.vision import monitors as monitors_module
from proctor.vision.detector import Detection
from proctor.vision.kinds import EventKind
from proctor.vision.monitor import Sample
from proctor.vision.monitors import Monitors, with_headcount
from proctor.vision.room_headcount import CameraHeadcount, RoomHeadcount
from proctor.vision.rules import AnalysisRules
from proctor.vision.scene import SceneSettings, Zone
from proctor.vision.tamper import TamperThresholds
from proctor.vision.transitions import OpenEvent

PICTURE = np.random.default_rng(11).integers(40, 200, (120, 160), dtype=np.uint8)


@dataclass(frozen=True)
class Room:
    """A :class:`RoomHeadcount` as the roster gives it."""

    people: int
    cameras: tuple[int, ...]


class Roster:
    """A :data:`~proctor.vision.monitors.HeadcountSource` whose rooms a test changes."""

    def __init__(self) -> None:
        self.rooms: dict[int, Room] = {}  # camera -> its room while a session runs
        self.asked: list[set[int]] = []

    def __call__(self, cameras: Collection[int], _at: datetime) -> Mapping[int, RoomHeadcount]:
        self.asked.append(set(cameras))
        return {camera: self.rooms[camera] for camera in cameras if camera in self.rooms}


def monitors_of(scenes: MemoryScenes, roster: Roster | None = None,
                phones: list[bool | None] | None = None) -> Monitors:
    seen = phones if phones is not None else [None]
    return Monitors(scenes, AnalysisRules(), TamperThresholds(), lambda: seen[-1], roster)


def people(n: int) -> list[Detection]:
    return [Detection("person", 0.9, (0.1 * i, 0.1, 0.1 * i + 0.05, 0.3)) for i in range(n)]


def test_with_headcount_replaces_only_the_expected_headcount() -> None:
    desk = Zone(name="讲台", polygon=[(0.0, 0.0), (0.5, 0.0), (0.5, 0.5)])
    scene = SceneSettings(expected_headcount=5, invigilator_zone=desk)
    assert with_headcount(scene, None) is scene
    planned = with_headcount(scene, CameraHeadcount(30, (2,)))
    assert planned.expected_headcount == 30 and planned.invigilator_zone == desk
    assert scene.expected_headcount == 5  # the stored scene is not changed
    assert with_headcount(scene, CameraHeadcount(None)).expected_headcount is None


async def test_one_monitor_per_camera_made_from_its_stored_scene() -> None:
    scenes = MemoryScenes()
    scenes.change(7, SceneSettings(expected_headcount=3))
    monitors = monitors_of(scenes)
    assert monitors.known(7) is None
    first = await monitors.get(7)
    assert await monitors.get(7) is first and monitors.known(7) is first
    assert scenes.loads == {7: 1}  # loaded once, not per sample
    assert (first.camera_id, first.scene.expected_headcount) == (7, 3)
    assert (await monitors.get(8)).scene == SceneSettings()  # none stored: the defaults


async def test_a_phone_model_loaded_later_reaches_existing_monitors() -> None:
    phones: list[bool | None] = [None]  # no model loaded yet
    monitors = monitors_of(MemoryScenes(), phones=phones)
    monitor = await monitors.get(1)
    assert monitor.phone_detection is False
    phones.append(True)
    assert (await monitors.get(1)).phone_detection is True
    phones.append(None)  # the detector is restarting: what was known stays
    assert (await monitors.get(1)).phone_detection is True
    phones.append(False)
    assert (await monitors.get(1)).phone_detection is False


async def test_a_restored_event_is_continued_and_remembered() -> None:
    monitors = monitors_of(MemoryScenes())
    await monitors.restore(OpenEvent(4, EventKind.COVERED, "", 1000.0, {"dark": 1.0}, 0.8))
    monitor = monitors.known(4)
    assert monitor is not None and monitors.continued == {4}
    assert set(monitor.open_events()) == {(EventKind.COVERED, "")}


async def test_reloading_a_scene_applies_settings_and_reference_of_known_cameras_only() -> None:
    scenes = MemoryScenes()
    monitors = monitors_of(scenes)
    await monitors.reload_scene(9)  # not analysed: nothing is loaded for it
    assert 9 not in scenes.loads and monitors.known(9) is None
    monitor = await monitors.get(9)
    monitor.observe(Sample(1000.0, PICTURE, []))  # learns the first picture as reference
    assert monitor.captured_reference is not None
    scenes.change(9, SceneSettings(expected_headcount=2))
    await monitors.reload_scene(9)
    assert monitors.known(9) is monitor and monitor.scene.expected_headcount == 2


async def test_the_refresh_reloads_scenes_changed_elsewhere(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(monitors_module, "SCENE_REFRESH_S", 0.01)
    scenes = MemoryScenes()
    monitors = monitors_of(scenes)
    monitor = await monitors.get(1)
    scenes.change(2, SceneSettings(expected_headcount=9))  # a camera nobody analyses
    refresh = asyncio.create_task(monitors.refresh_forever())
    try:
        scenes.change(1, SceneSettings(expected_headcount=4))  # e.g. with the CLI
        assert await wait_until(lambda: monitor.scene.expected_headcount == 4, timeout=10)
        loads = scenes.loads[1]
        await asyncio.sleep(0.1)  # several rounds: an unchanged version is not reloaded
        assert scenes.loads[1] == loads and 2 not in scenes.loads

        def broken() -> dict[int, datetime]:
            raise RuntimeError("database is locked")

        monkeypatch.setattr(scenes, "versions", broken)
        assert await wait_until(lambda: "checking for scene changes failed" in caplog.text,
                                timeout=10)
        monkeypatch.undo()
        monkeypatch.setattr(monitors_module, "SCENE_REFRESH_S", 0.01)
        scenes.change(1, SceneSettings(expected_headcount=6))
        assert await wait_until(lambda: monitor.scene.expected_headcount == 6, timeout=10)
    finally:
        refresh.cancel()


async def test_a_kept_reference_is_not_reloaded_by_the_refresh() -> None:
    """The captured picture is already in use: reloading would throw away the sharpness
    baseline the monitor is learning."""
    scenes = MemoryScenes()
    monitors = monitors_of(scenes)
    monitor = await monitors.get(3)
    monitor.observe(Sample(1000.0, PICTURE, []))
    await monitors.keep_reference(3, monitor)
    assert scenes.scenes[3].reference_source == "auto" and scenes.loads[3] == 1
    await monitors.keep_reference(3, monitor)  # nothing captured since: nothing stored
    assert scenes.loads[3] == 1


async def test_a_camera_alone_in_its_room_expects_the_roster_then_its_own_value() -> None:
    scenes = MemoryScenes()
    scenes.change(1, SceneSettings(expected_headcount=2))
    roster = Roster()
    roster.rooms[1] = Room(31, (1,))
    monitors = monitors_of(scenes, roster)
    monitor = await monitors.get(1)
    assert roster.asked == [{1}]  # asked for the new camera only
    assert monitor.scene.expected_headcount == 31
    roster.rooms.clear()  # the session ended
    await monitors.apply_headcounts()
    assert monitor.scene.expected_headcount == 2 and monitor.room_peers is None


async def test_without_a_roster_the_scene_is_left_alone() -> None:
    scenes = MemoryScenes()
    scenes.change(1, SceneSettings(expected_headcount=2))
    monitors = monitors_of(scenes)
    await monitors.apply_headcounts()
    assert (await monitors.get(1)).scene.expected_headcount == 2


async def test_the_lead_camera_counts_the_room_with_its_peers() -> None:
    roster = Roster()
    room = Room(5, (1, 2, 3))  # camera 3 is not analysed
    roster.rooms = {1: room, 2: room, 3: room}
    monitors = monitors_of(MemoryScenes(), roster)
    back = await monitors.get(2)
    lead = await monitors.get(1)  # joining later: the room is planned again
    assert (lead.scene.expected_headcount, back.scene.expected_headcount) == (5, None)
    assert lead.room_peers is not None and back.room_peers is None
    back.observe(Sample(1000.0, PICTURE, people(4)))
    assert lead.room_peers(1000.0 + monitors_module.PEER_WINDOW_S) == 4
    assert lead.room_peers(1000.0 - monitors_module.PEER_WINDOW_S) == 4
    assert lead.room_peers(1000.1 + monitors_module.PEER_WINDOW_S) is None  # too old
    back.observe(Sample(1001.0, None, None))  # not analysed: no count to share
    assert lead.room_peers(1001.0) is None


async def test_the_room_count_reaches_the_lead_as_the_most_people_seen() -> None:
    roster = Roster()
    room = Room(3, (1, 2))
    roster.rooms = {1: room, 2: room}
    monitors = monitors_of(MemoryScenes(), roster)
    lead, back = await monitors.get(1), await monitors.get(2)
    back.observe(Sample(1000.0, PICTURE, people(3)))
    for second in range(30):  # the lead sees only 2 of the 3, the back camera all of them
        back.observe(Sample(1000.0 + second, PICTURE, people(3)))
        opened = [t for t in lead.observe(Sample(1000.0 + second, PICTURE, people(2)))
                  if t.kind is EventKind.PERSON_MISSING]
        assert opened == [], second
    assert lead.state is not None and lead.state.people == 2
