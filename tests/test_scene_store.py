"""The scenes live analysis reads: the database store (real SQLite) keeps a captured
reference only while nobody changed the scene meanwhile, and the analyzer's monitors work
through the store's interface alone (an in-memory store here, no database)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import numpy as np
from sqlalchemy.orm import Session, sessionmaker
from support.places import build_place
from support.scenes import MemoryScenes

from proctor.scenes.records import load_scene, save_settings
from proctor.scenes.store import DbSceneStore
from proctor.vision.monitors import Monitors
from proctor.vision.pictures import encode_jpeg
from proctor.vision.rules import AnalysisRules
from proctor.vision.scene import SceneSettings
from proctor.vision.scene_store import StoredScene
from proctor.vision.tamper import TamperThresholds

LUMA = np.random.default_rng(3).integers(0, 255, (120, 160), dtype=np.uint8)


def store_of(db: Session) -> DbSceneStore:
    return DbSceneStore(sessionmaker(bind=db.get_bind(), expire_on_commit=False))


def test_a_captured_reference_is_kept_and_versioned(db: Session) -> None:
    camera = build_place(db, "North").camera.id
    db.commit()
    store = store_of(db)
    assert store.load(camera).settings == SceneSettings() and store.versions() == {}
    version = store.keep_captured_reference(camera, encode_jpeg(LUMA), None)
    assert version is not None and store.versions() == {camera: version}
    kept = store.load(camera)
    assert (kept.reference_source, kept.updated_at) == ("auto", version)
    assert kept.reference is not None and kept.reference.shape == LUMA.shape


def test_a_change_made_elsewhere_wins_over_a_captured_reference(db: Session) -> None:
    camera = build_place(db, "North").camera.id
    db.commit()
    store = store_of(db)
    seen = store.load(camera).updated_at
    save_settings(db, camera, SceneSettings(expected_headcount=7), "cli")  # e.g. the CLI
    db.commit()
    assert store.keep_captured_reference(camera, encode_jpeg(LUMA), seen) is None
    db.expire_all()
    stored = load_scene(db, camera)
    assert stored.reference is None and stored.settings.expected_headcount == 7


def test_monitors_keep_a_captured_reference_through_the_store() -> None:
    scenes = MemoryScenes()
    monitors = Monitors(scenes, AnalysisRules(), TamperThresholds(), lambda: None)

    async def capture() -> None:
        monitor = await monitors.get(5)
        monitor.captured_reference = LUMA
        await monitors.keep_reference(5, monitor)
        assert monitor.captured_reference is None

    asyncio.run(capture())
    assert scenes.load(5).reference_source == "auto"


def test_monitors_take_a_scene_changed_meanwhile_instead_of_their_capture() -> None:
    scenes = MemoryScenes()
    monitors = Monitors(scenes, AnalysisRules(), TamperThresholds(), lambda: None)

    async def capture() -> SceneSettings:
        monitor = await monitors.get(5)
        changed = datetime.now(UTC)
        scenes.scenes[5] = StoredScene(SceneSettings(expected_headcount=3), None, None, None,
                                       changed)
        monitor.captured_reference = LUMA
        await monitors.keep_reference(5, monitor)
        return monitor.scene

    assert asyncio.run(capture()).expected_headcount == 3
    assert scenes.load(5).reference_source is None
