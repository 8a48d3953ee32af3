"""Debian's Chromium driven by Playwright (never a browser downloaded by Playwright), for the
tests, the console's screenshots and its bench. Playwright comes with the test extra."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--use-fake-device-for-media-stream=fps=30", "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    # WebRTC skips loopback unless told otherwise; these tests have nothing else.
    "--allow-loopback-in-peer-connection",
    # no *.local candidates: they would make the server try multicast DNS
    "--disable-features=WebRtcHideLocalIpsWithMdns",
]


def chromium_binary() -> Path:
    """The real binary behind Debian's ``chromium`` wrapper script."""
    wrapper = shutil.which("chromium")
    if wrapper is None:
        raise RuntimeError("Chromium is not installed: run scripts/test "
                           "(it installs Debian's chromium)")
    binary = Path(wrapper).resolve().parent.parent / "lib" / "chromium" / "chromium"
    return binary if binary.exists() else Path(wrapper)


@contextmanager
def chromium(profile_dir: Path) -> Iterator[BrowserContext]:
    """A persistent context on a fresh profile."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile_dir), executable_path=str(chromium_binary()), args=CHROMIUM_FLAGS,
            headless=True,
        )
        try:
            yield context
        finally:
            context.close()
