"""Alerts across nodes: analysis messages go on JetStream, and every node's consoles are fed
from the stream, whichever node analyses the camera.

A message about a camera is published on ``alerts.<province>.<city>.<district>.<site>.<room>.
<camera>`` (:mod:`proctor.cluster.region_path`), so oversight at each level is a subscription
filter (``alerts.350000.>`` is 福建省, ``alerts.*.*.*.12.>`` site 12). The stream keeps
``STREAM_MAX_AGE_S`` of them for replay: a console reconnecting with the last sequence it
saw (after an API node restarted, say) gets the messages it missed (:meth:`ClusterAlertHub.
replay`), at most ``REPLAY_LIMIT`` of the newest.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

from nats.errors import Error as NatsError
from nats.js.api import ConsumerConfig, DeliverPolicy, StreamConfig
from nats.js.errors import BadRequestError
from pydantic import Field, TypeAdapter, ValidationError

from proctor.events.hub import AlertHub
from proctor.events.messages import AlertMessage

if TYPE_CHECKING:
    from nats.aio.msg import Msg
    from nats.js import JetStreamContext

logger = logging.getLogger(__name__)

STREAM = "PROCTOR_ALERTS"
SUBJECT_ROOT = "alerts"
STREAM_MAX_AGE_S = 24 * 3600.0
SEND_QUEUE_LIMIT = 10_000  # messages waiting for NATS; beyond, consoles here still get them
REPLAY_LIMIT = 5_000  # messages a reconnecting console gets at most (the newest)
REPLAY_WAIT_S = 10.0  # for the next replayed message before giving up on the rest
SEND_RETRY_S = 15.0  # a message's tries before it goes to this node's consoles only
WATCH_S = 2.0  # how often the live subscription is checked against the stream
CAMERA_HEADER = "Proctor-Camera"
NODE_HEADER = "Proctor-Node"
_MESSAGE = TypeAdapter(Annotated[AlertMessage, Field(discriminator="type")])
PathOf = Callable[[int], tuple[str, ...]]  # blocking (a database read): run in a thread


def alert_subject(path: tuple[str, ...]) -> str:
    """The subject of a message about the camera at ``path``."""
    return ".".join((SUBJECT_ROOT, *path))


class ClusterAlertHub(AlertHub):
    """An :class:`AlertHub` whose :meth:`publish` goes through the stream: this node's
    consoles get every node's messages (their own included) from it, in the order each node
    sent them."""

    def __init__(self, js: JetStreamContext, node_id: str, path_of: PathOf) -> None:
        super().__init__()
        self._js = js
        self._node_id = node_id
        self._path_of = path_of
        self._paths: dict[int, tuple[str, ...]] = {}
        self._outbox: asyncio.Queue[tuple[int, AlertMessage]] = asyncio.Queue(SEND_QUEUE_LIMIT)
        self._sender: asyncio.Task[None] | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._live: JetStreamContext.PushSubscription | None = None
        self._delivered = 0  # the stream sequence of the newest message handed to consoles

    async def start(self, replicas: int = 1) -> None:
        """Ensure the stream, subscribe to it (new messages) and start sending."""
        config = StreamConfig(name=STREAM, subjects=[f"{SUBJECT_ROOT}.>"],
                              max_age=STREAM_MAX_AGE_S, num_replicas=replicas)
        try:
            await self._js.add_stream(config)
        except BadRequestError:  # made by a node with other settings: use it as it is
            logger.warning("stream %s exists with another configuration; using it", STREAM)
        self._delivered = (await self._js.stream_info(STREAM)).state.last_seq
        self._live = await self._js.subscribe(  # ends when the connection is drained
            f"{SUBJECT_ROOT}.>", stream=STREAM, cb=self._receive, ordered_consumer=True,
            deliver_policy=DeliverPolicy.NEW)
        self._sender = asyncio.create_task(self._send_forever(), name="cluster-alerts")
        self._watcher = asyncio.create_task(self._watch_forever(), name="cluster-alerts-watch")

    async def _watch_forever(self) -> None:
        """Resubscribe from the next sequence when the stream grows but nothing arrives: the
        consumer lived on a NATS server that died (the client does not notice missing
        heartbeats), so consoles would otherwise go silent."""
        behind_at: int | None = None  # what was delivered when the stream was seen ahead
        while True:
            await asyncio.sleep(WATCH_S)
            try:
                last = (await self._js.stream_info(STREAM)).state.last_seq
                if last <= self._delivered:
                    behind_at = None
                elif behind_at != self._delivered:
                    behind_at = self._delivered  # maybe on its way: look again
                else:
                    await self._resubscribe()
                    behind_at = None
            except (NatsError, OSError) as error:
                logger.warning("alert stream not checked (%s); retrying", error)

    async def _resubscribe(self) -> None:
        logger.warning("alert stream consumer stalled at %d; resubscribing", self._delivered)
        if self._live is not None:
            with contextlib.suppress(NatsError, OSError):
                await self._live.unsubscribe()
        self._live = await self._js.subscribe(
            f"{SUBJECT_ROOT}.>", stream=STREAM, cb=self._receive, ordered_consumer=True,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                                  opt_start_seq=self._delivered + 1))

    def publish(self, camera_id: int, message: AlertMessage) -> None:
        """Queue ``message`` for the stream; if NATS is far behind, hand it to this node's
        consoles directly rather than lose it."""
        try:
            self._outbox.put_nowait((camera_id, message))
        except asyncio.QueueFull:
            logger.warning("alert stream backlog full; message kept on this node",
                           extra={"camera": camera_id})
            super().publish(camera_id, message)

    async def _path(self, camera_id: int) -> tuple[str, ...]:
        path = self._paths.get(camera_id)
        if path is None:  # cameras do not move between rooms while analysed
            path = self._paths[camera_id] = await asyncio.to_thread(self._path_of, camera_id)
        return path

    async def _send_forever(self) -> None:
        while True:
            camera_id, message = await self._outbox.get()
            try:
                await self._send(camera_id, message)
            except (NatsError, OSError) as error:
                logger.warning("alert not sent to the stream (%s); kept on this node", error,
                               extra={"camera": camera_id})
                super().publish(camera_id, message)

    async def _send(self, camera_id: int, message: AlertMessage) -> None:
        """Publish one message, retrying for up to :data:`SEND_RETRY_S` (a JetStream leader
        election after a NATS server died takes seconds); later ones wait, keeping order."""
        subject = alert_subject(await self._path(camera_id))
        deadline = asyncio.get_running_loop().time() + SEND_RETRY_S
        while True:
            try:
                await self._js.publish(
                    subject, message.model_dump_json().encode(), stream=STREAM,
                    headers={CAMERA_HEADER: str(camera_id), NODE_HEADER: self._node_id})
                return
            except (NatsError, OSError):
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.5)

    async def _receive(self, msg: Msg) -> None:
        seq = msg.metadata.sequence.stream
        if seq <= self._delivered:  # sent already, before a resubscription
            return
        self._delivered = seq
        read = _read(msg)
        if read is not None:
            self.deliver(*read, seq)

    async def replay(self, camera_ids: set[int],
                     after: int) -> list[tuple[AlertMessage, int]]:
        """The stream's messages about ``camera_ids`` after sequence ``after`` up to its
        last one now, oldest first (at most :data:`REPLAY_LIMIT`, the newest; those aged
        out are gone). A NATS failure midway returns what was read, with a warning."""
        try:
            info = await self._js.stream_info(STREAM)
        except (NatsError, OSError) as error:
            logger.warning("alerts not replayed: stream unreadable (%s)", error)
            return []
        last = info.state.last_seq
        start = max(after + 1, last - REPLAY_LIMIT + 1, info.state.first_seq, 1)
        if after >= last or start > last:
            return []
        replayed: list[tuple[AlertMessage, int]] = []
        subscription = await self._js.subscribe(
            f"{SUBJECT_ROOT}.>", stream=STREAM, ordered_consumer=True,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                                  opt_start_seq=start))
        try:
            while True:
                msg = await subscription.next_msg(timeout=REPLAY_WAIT_S)
                seq = msg.metadata.sequence.stream
                read = _read(msg)
                if read is not None and read[0] in camera_ids:
                    replayed.append((read[1], seq))
                if seq >= last:
                    return replayed
        except (NatsError, OSError) as error:
            logger.warning("alert replay cut short after %d messages (%s)", len(replayed),
                           error)
            return replayed
        finally:
            with contextlib.suppress(NatsError, OSError):
                await subscription.unsubscribe()

    async def close(self) -> None:
        """Send what is queued (briefly), then stop."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._drain(), timeout=2.0)
        for task in (self._sender, self._watcher):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _drain(self) -> None:
        while not self._outbox.empty():
            await asyncio.sleep(0.05)


def _read(msg: Msg) -> tuple[int, AlertMessage] | None:
    """The camera and message a stream message carries, ``None`` (logged) when unreadable."""
    try:
        return int((msg.headers or {})[CAMERA_HEADER]), _MESSAGE.validate_json(msg.data)
    except (KeyError, ValueError, ValidationError):
        logger.warning("unreadable message on %s ignored", msg.subject)
        return None
