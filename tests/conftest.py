"""Fixtures: sample footage, ICE pinned to loopback, and a real server stack."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy.orm import Session
from support.batch_flow import object_store_env
from support.batches import World, build_world, database
from support.stack import Stack

from proctor.config import REPO_ROOT
from proctor.rtc.ice import pin_host_addresses
from proctor_dev.samples import h264_sample, raw_sample
from proctor_dev.seaweed import EmbeddedSeaweedFS

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from playwright.sync_api import BrowserContext

MEDIA_DIR = REPO_ROOT / "var" / "media"


# ``slow``: tests that start a server (in a process, or the whole app in-process), an object
# store, PostgreSQL, an RTSP camera, real WebRTC peers, the detector or a browser, or that take
# more than about 2 s. ``pytest -m "not slow"`` runs the rest, the unit tests, in well under a
# minute; ``scripts/test`` runs everything. A test is slow when it uses one of these fixtures,
# when its module uses one of these names (the app or the CLI, which migrates a database), or
# when its module is listed here.
SLOW_FIXTURES = frozenset({"stack", "shared_stack", "analysis_stack", "seaweed", "start_rtsp",
                           "client", "browser"})
SLOW_NAMES = frozenset({"create_app", "TestClient", "CliRunner", "postgres_cluster"})
SLOW_MODULES = frozenset({
    "test_detector", "test_scenarios", "test_bench_analyze", "test_models",  # the detector
    "test_browser", "test_browser_alerts",  # Chromium
    "test_recorder", "test_migrations",  # whole footage files; every migration up and down
})


def _is_slow(item: pytest.Item) -> bool:
    module = getattr(item, "module", None)
    names = set(vars(module)) if module is not None else set()
    return bool(SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or SLOW_NAMES & names
                or item.path.stem in SLOW_MODULES)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the slow tests (see above); every other test is a fast unit test."""
    for item in items:
        if _is_slow(item):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """The console's REST API in-process on a fresh database, with the admin ``root``."""
    from support.console import console_client  # the whole app: only for tests that use it

    with console_client(tmp_path) as client:
        yield client


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Session]:
    """A session on a freshly migrated SQLite database of the test's own."""
    with database(tmp_path) as session:
        yield session


@pytest.fixture
def world(db: Session) -> World:
    """Regions, an organisation and its site with rooms and cameras, in ``db``."""
    return build_world(db)


@pytest.fixture(scope="session", autouse=True)
def loopback_only_ice() -> None:
    """Every peer connection in the test process offers only 127.0.0.1."""
    pin_host_addresses(["127.0.0.1"])


@pytest.fixture(scope="session")
def h264_footage() -> Path:
    """Real footage (vtest.avi) as H.264 MP4: the agent sends it without transcoding."""
    return h264_sample(MEDIA_DIR)


@pytest.fixture(scope="session")
def raw_footage() -> Path:
    """Real footage as MS-MPEG4 AVI: the agent must encode it once."""
    return raw_sample(MEDIA_DIR)


_buckets = itertools.count()


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedSeaweedFS]:
    """One real S3 server with Object Lock (SeaweedFS ``weed mini``) for the whole session."""
    server = EmbeddedSeaweedFS(tmp_path_factory.mktemp("seaweed")).start()
    yield server
    server.stop()


def _stack(tmp_path_factory: pytest.TempPathFactory, seaweed: EmbeddedSeaweedFS,
           analysis: bool = False) -> Iterator[Stack]:
    stack = Stack(tmp_path_factory.mktemp("stack"), analysis=analysis)
    stack.server_env = object_store_env(seaweed, f"footage-{next(_buckets)}")
    stack.provision()
    stack.start_server()
    try:
        yield stack
    finally:
        stack.close()


@pytest.fixture
def stack(tmp_path_factory: pytest.TempPathFactory, seaweed: EmbeddedSeaweedFS) -> Iterator[Stack]:
    """A fresh server (own database and bucket) with sites A and B, stopped after the test."""
    yield from _stack(tmp_path_factory, seaweed)


@pytest.fixture
def analysis_stack(tmp_path_factory: pytest.TempPathFactory,
                   seaweed: EmbeddedSeaweedFS) -> Iterator[Stack]:
    """Like ``stack``, but the server analyses live cameras (real detector process)."""
    yield from _stack(tmp_path_factory, seaweed, analysis=True)


@pytest.fixture(scope="module")
def shared_stack(tmp_path_factory: pytest.TempPathFactory,
                 seaweed: EmbeddedSeaweedFS) -> Iterator[Stack]:
    """One server for a whole module of tests that do not change its state much."""
    yield from _stack(tmp_path_factory, seaweed)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    """A Chromium context (Debian Chromium through Playwright) shared by a module's tests."""
    from support.browser import chromium  # Playwright: only for tests that use it

    with chromium(tmp_path_factory.mktemp("profile")) as context:
        yield context
