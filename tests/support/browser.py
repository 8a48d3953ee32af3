"""Debian's Chromium driven by Playwright (never a browser downloaded by Playwright): the
helper lives in proctor_dev, which the console's screenshots and bench share."""

from __future__ import annotations

from proctor_dev.browser import CHROMIUM_FLAGS, chromium, chromium_binary

__all__ = ["CHROMIUM_FLAGS", "chromium", "chromium_binary"]
