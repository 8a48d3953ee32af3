"""The alert fan-out: each console gets only its cameras' messages, loses queued messages
about a camera taken away from it, and is marked for disconnection when it stops reading."""

from __future__ import annotations

import asyncio

from proctor.events.hub import QUEUE_LIMIT, AlertHub
from proctor.events.messages import CameraMessage


def state(camera_id: int, at: float = 0.0) -> CameraMessage:
    return CameraMessage(camera_id=camera_id, analysed=True, people=1, expected=None,
                         phone_detection=False, picture="ok", not_analysed_reason=None,
                         model=None, at=at)


async def test_consoles_get_their_cameras_only_and_lose_what_they_may_no_longer_see() -> None:
    hub = AlertHub()
    mine, other = hub.subscribe({1, 2}), hub.subscribe({3})
    for camera in (1, 2, 3, 1):
        hub.publish(camera, state(camera))
    assert await mine.next_message() == state(1)
    mine.set_cameras({2})  # camera 1's site grant was removed
    assert await mine.next_message() == state(2)
    assert await other.next_message() == state(3)
    with_nothing_left = asyncio.wait_for(mine.next_message(), 0.1)
    try:
        await with_nothing_left
        raise AssertionError("the queued message about camera 1 was delivered")
    except TimeoutError:
        pass
    mine.close()
    hub.publish(2, state(2))
    assert hub.subscribers == 1


async def test_a_console_that_stops_reading_is_cut_off_not_buffered() -> None:
    hub = AlertHub()
    slow = hub.subscribe({1})
    for index in range(QUEUE_LIMIT + 10):
        hub.publish(1, state(1, at=index))
    assert slow.overflowed
    assert (await slow.next_message()) == state(1, at=0)
