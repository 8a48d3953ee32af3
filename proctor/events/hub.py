"""Live alert fan-out: analysis messages go to each connected console, filtered to the
cameras that user may watch. A console that stops reading is cut off (it reconnects and gets
a fresh picture) instead of letting its queue grow without bound.
"""

from __future__ import annotations

import asyncio
import contextlib

from proctor.events.messages import AlertMessage

QUEUE_LIMIT = 256


class AlertSubscription:
    """One console's queue of messages for its cameras."""

    def __init__(self, hub: AlertHub, camera_ids: set[int]) -> None:
        self._hub = hub
        self.camera_ids = camera_ids
        self._queue: asyncio.Queue[tuple[int, AlertMessage, int | None]] = \
            asyncio.Queue(QUEUE_LIMIT)
        self.overflowed = False

    def offer(self, camera_id: int, message: AlertMessage, seq: int | None = None) -> None:
        """Queue ``message`` (its stream sequence ``seq``, if any) if it concerns one of this
        console's cameras."""
        if camera_id not in self.camera_ids or self.overflowed:
            return
        try:
            self._queue.put_nowait((camera_id, message, seq))
        except asyncio.QueueFull:
            self.overflowed = True

    async def next_message(self) -> AlertMessage:
        """The next message for this console (waits for one)."""
        message, _seq = await self.next_delivery()
        return message

    async def next_delivery(self) -> tuple[AlertMessage, int | None]:
        """The next message for this console and its stream sequence (waits for one)."""
        while True:
            camera_id, message, seq = await self._queue.get()
            if camera_id in self.camera_ids:  # not about a camera taken away meanwhile
                return message, seq

    def set_cameras(self, camera_ids: set[int]) -> None:
        """Change the cameras this console may see; queued messages about cameras it lost
        are never sent."""
        self.camera_ids = camera_ids

    def close(self) -> None:
        """Stop receiving messages."""
        self._hub.unsubscribe(self)


class AlertHub:
    """Every connected console's subscription."""

    def __init__(self) -> None:
        self._subscriptions: list[AlertSubscription] = []

    def subscribe(self, camera_ids: set[int]) -> AlertSubscription:
        """A new subscription to messages about ``camera_ids``."""
        subscription = AlertSubscription(self, camera_ids)
        self._subscriptions.append(subscription)
        return subscription

    def unsubscribe(self, subscription: AlertSubscription) -> None:
        """Remove a subscription (idempotent)."""
        with contextlib.suppress(ValueError):
            self._subscriptions.remove(subscription)

    def publish(self, camera_id: int, message: AlertMessage) -> None:
        """Send a message about ``camera_id`` to the consoles allowed to see that camera."""
        self.deliver(camera_id, message, None)

    def deliver(self, camera_id: int, message: AlertMessage, seq: int | None) -> None:
        """Hand a message (stream sequence ``seq``, if any) to the allowed consoles."""
        for subscription in list(self._subscriptions):
            subscription.offer(camera_id, message, seq)

    async def replay(self, camera_ids: set[int],
                     after: int) -> list[tuple[AlertMessage, int]]:
        """The messages about ``camera_ids`` after stream sequence ``after``, oldest first:
        none on one node, which keeps no history (the hello is the console's picture)."""
        del camera_ids, after
        return []

    @property
    def subscribers(self) -> int:
        """How many consoles are connected."""
        return len(self._subscriptions)
