"""Fixtures: sample footage, ICE pinned to loopback, and a real server stack."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from proctor.config import REPO_ROOT
from proctor.rtc.ice import pin_host_addresses
from proctor.samples import h264_sample, raw_sample
from stack import Stack

MEDIA_DIR = REPO_ROOT / "var" / "media"


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


def _stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = Stack(tmp_path_factory.mktemp("stack"))
    stack.provision()
    stack.start_server()
    try:
        yield stack
    finally:
        stack.close()


@pytest.fixture
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A fresh server with sites A and B, stopped after the test."""
    yield from _stack(tmp_path_factory)


@pytest.fixture(scope="module")
def shared_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One server for a whole module of tests that do not change its state much."""
    yield from _stack(tmp_path_factory)
