"""Poll for a condition instead of sleeping a fixed time.

A fixed sleep is either too short on a loaded machine (a flaky test) or too long on a quiet
one (a slow suite). These return as soon as the condition holds, and give up after
``timeout`` seconds. Both return the predicate's last result, so a test writes
``assert await wait_until(...)`` or ``assert wait_until_sync(...)``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until_sync(predicate: Callable[[], T], timeout: float,
                    interval: float = 0.05) -> T:
    """Call ``predicate`` until its result is truthy or ``timeout`` seconds have passed."""
    if timeout < 0 or interval <= 0:
        raise ValueError(f"timeout {timeout} must be >= 0 and interval {interval} > 0")
    deadline = time.monotonic() + timeout
    while not (result := predicate()) and time.monotonic() < deadline:
        time.sleep(min(interval, max(0.0, deadline - time.monotonic())))
    return result


async def wait_until(predicate: Callable[[], T], timeout: float,
                     interval: float = 0.1) -> T:
    """Like :func:`wait_until_sync`, but lets the event loop run between the calls."""
    if timeout < 0 or interval <= 0:
        raise ValueError(f"timeout {timeout} must be >= 0 and interval {interval} > 0")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (result := predicate()) and loop.time() < deadline:
        await asyncio.sleep(min(interval, max(0.0, deadline - loop.time())))
    return result
