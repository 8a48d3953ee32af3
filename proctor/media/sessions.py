"""The live WebRTC sessions (WHIP publishers and WHEP viewers) and their teardown."""

from __future__ import annotations

import asyncio
import enum
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiortc import RTCPeerConnection

from proctor.errors import ProctorError

logger = logging.getLogger(__name__)


class TooManySessions(ProctorError):
    """The caller has as many live sessions open as allowed (HTTP 429)."""


class SessionKind(str, enum.Enum):
    """Which protocol created the session."""

    WHIP = "whip"
    WHEP = "whep"


@dataclass(eq=False)
class RtcSession:
    """One peer connection and what to do when it ends."""

    kind: SessionKind
    camera_id: int
    owner: str  # "user:<id>" or "device:<id>"
    credential: str  # hash of the login or device token that opened it (see live_access)
    pc: RTCPeerConnection
    id: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    started_at: float = field(default_factory=time.time)
    stream: str | None = None  # the camera stream a WHEP viewer gets (main or sub)
    on_close: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    @property
    def resource_path(self) -> str:
        """The session URL returned in the ``Location`` header."""
        return f"/{self.kind.value}/{self.camera_id}/sessions/{self.id}"


class SessionRegistry:
    """Tracks sessions by id; closes a session when its connection fails or is closed, or
    when it has not connected within ``setup_timeout_s`` (aioice waits forever for a peer
    that never sends end-of-candidates, and an abandoned viewer would keep its camera's
    encoder running)."""

    def __init__(self, setup_timeout_s: float = 20.0) -> None:
        self._sessions: dict[str, RtcSession] = {}
        self._setup_timeout_s = setup_timeout_s

    def add(self, session: RtcSession) -> None:
        """Register a session and close it automatically once its connection fails."""
        self._sessions[session.id] = session
        asyncio.get_running_loop().call_later(
            self._setup_timeout_s, lambda: asyncio.ensure_future(self._expire_unconnected(session))
        )

        @session.pc.on("connectionstatechange")
        async def _on_state() -> None:
            state = session.pc.connectionState
            logger.info(
                "%s session %s", session.kind.value, state,
                extra={"camera": session.camera_id, "session": session.id},
            )
            if state in ("failed", "closed"):
                await self.close(session.id)

    async def _expire_unconnected(self, session: RtcSession) -> None:
        if self._sessions.get(session.id) is session and session.pc.connectionState != "connected":
            logger.warning("%s session did not connect within %.0f s; closing it",
                           session.kind.value, self._setup_timeout_s,
                           extra={"camera": session.camera_id, "session": session.id})
            await self.close(session.id)

    def get(self, session_id: str) -> RtcSession | None:
        """A live session by id."""
        return self._sessions.get(session_id)

    def find(self, kind: SessionKind, camera_id: int) -> list[RtcSession]:
        """The live sessions of one kind for a camera."""
        return [s for s in self._sessions.values() if s.kind is kind and s.camera_id == camera_id]

    def all(self) -> list[RtcSession]:
        """Every live session."""
        return list(self._sessions.values())

    def count(self, kind: SessionKind) -> int:
        """How many sessions of a kind are live."""
        return sum(1 for s in self._sessions.values() if s.kind is kind)

    def owned(self, kind: SessionKind, owner: str) -> int:
        """How many sessions of a kind ``owner`` has open, connected or not."""
        return sum(1 for s in self._sessions.values() if s.kind is kind and s.owner == owner)

    async def close(self, session_id: str) -> bool:
        """End a session (idempotent); returns whether it was live."""
        session = self._sessions.pop(session_id, None)
        if session is None:
            return False
        for callback in session.on_close:
            try:
                await callback()
            except Exception:
                logger.exception("session close callback failed", extra={"session": session_id})
        await session.pc.close()
        return True

    async def close_all(self) -> None:
        """End every session (server shutdown)."""
        await asyncio.gather(*(self.close(sid) for sid in list(self._sessions)))
