"""The event side of live analysis: applies vision's transitions to the event log, publishes
them to the consoles, and stores each new event's snapshot in the background."""

from __future__ import annotations

import asyncio
import logging

import numpy as np

from proctor.events.hub import AlertHub
from proctor.events.log import EventLog
from proctor.events.messages import CameraMessage, EventAction, EventMessage
from proctor.events.views import EventView
from proctor.vision.kinds import EventKind
from proctor.vision.pictures import encode_jpeg
from proctor.vision.transitions import (
    AnalysisTransition,
    CameraStateChanged,
    EventClosed,
    EventOpened,
    EventTransition,
    EventUpdated,
    OpenEvent,
)

logger = logging.getLogger(__name__)
SNAPSHOT_GRACE_S = 10.0  # at shutdown, how long snapshot uploads may still take
ACTIONS: dict[type[EventTransition], EventAction] = {
    EventOpened: "open", EventUpdated: "update", EventClosed: "close"}
OpenKey = tuple[int, EventKind, str]  # camera, kind, zone


class EventSink:
    """A :class:`~proctor.vision.transitions.TransitionSink` backed by the event log and the
    alert hub."""

    def __init__(self, log: EventLog, hub: AlertHub) -> None:
        self.log = log
        self.hub = hub
        self._open: dict[OpenKey, int] = {}  # the event id of every open event
        self._snapshots: set[asyncio.Task[None]] = set()

    async def open_events(self) -> list[OpenEvent]:
        """Every event still open in the log."""
        rows = await asyncio.to_thread(self.log.open_events)
        for view, _ in rows:
            self._open[(view.camera_id, view.kind, view.zone)] = view.id
        return [OpenEvent(view.camera_id, view.kind, view.zone, view.started_at.timestamp(),
                          view.peak, severity) for view, severity in rows]

    async def emit(self, transition: AnalysisTransition) -> None:
        """Apply and publish one transition."""
        if isinstance(transition, CameraStateChanged):
            status = transition.status
            self.hub.publish(status.camera_id, CameraMessage.of(status))
            return
        view = await asyncio.to_thread(self.log.record, transition)
        if view is None:
            return
        action = ACTIONS[type(transition)]
        logger.info("event %s %s", action, view.kind.value,
                    extra={"camera": view.camera_id, "zone": view.zone, "event": view.id})
        key = (view.camera_id, view.kind, view.zone)
        if action == "close":
            self._open.pop(key, None)
        else:
            self._open[key] = view.id
        self.hub.publish(view.camera_id, EventMessage(action=action, at=transition.at,
                                                      event=view))
        if isinstance(transition, EventOpened) and transition.picture is not None:
            task = asyncio.create_task(self._snapshot(view, transition.picture, transition.at),
                                       name=f"event-{view.id}-snapshot")
            self._snapshots.add(task)
            task.add_done_callback(self._snapshots.discard)

    async def close(self) -> None:
        """Give snapshots being stored ``SNAPSHOT_GRACE_S`` to finish."""
        if self._snapshots:
            await asyncio.wait(self._snapshots, timeout=SNAPSHOT_GRACE_S)

    async def _snapshot(self, view: EventView, bgr: np.ndarray, at: float) -> None:
        """Store the picture of an event that just opened, in the background (the store may
        be slow or down: analysis goes on), then tell the consoles where it is."""
        try:
            jpeg = await asyncio.to_thread(encode_jpeg, bgr)
            stored = await asyncio.to_thread(self.log.store_snapshot, view, jpeg)
        except Exception:  # noqa: BLE001 - a lost snapshot must not end anything else
            logger.exception("event snapshot failed", extra={"event": view.id})
            return
        # it may have closed while uploading: an "update" after the "close" would reopen it
        # on the consoles
        if stored is not None and self._open.get((view.camera_id, view.kind, view.zone)) \
                == view.id:
            self.hub.publish(view.camera_id, EventMessage(action="update", at=at, event=stored))
