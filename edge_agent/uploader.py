"""Store-and-forward upload of spooled segments: oldest first, rate-limited, deleted locally
only once the server acknowledged them.

The spool is the queue, so a restart resumes where the last run stopped. A segment that
reached the server but whose local deletion was interrupted is simply sent again: the server
answers 200 for an identical segment it already holds. Answers:

- 201 / 200 (stored / already stored, same sha256): delete the local copy.
- 400, 403, 404, 409, 411, 413, 415: the server will never take this segment as it is; it is
  moved to ``rejected/`` with the server's reason and logged at ERROR, never deleted.
- 401: the device token is refused; keep everything, retry after ``refused_delay_s``.
- network errors, 408, 429, 5xx, anything else: retry with backoff from 0.5 s to 10 s.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from edge_agent.clock import ClockError, ServerClock
from edge_agent.spool import SegmentMeta, Spool

logger = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
BACKOFF_INITIAL_S = 0.5
BACKOFF_MAX_S = 10.0
IDLE_POLL_S = 1.0
# Only the proctor server's own final refusals set a segment aside; it marks them with this
# header. A bare 4xx may come from a proxy or firewall in between and is retried.
PERMANENT_REJECTION_HEADER = "x-proctor-reject"
# A timeout, a rate limit or a server error is never final, whatever the answer says (a
# server before 2026-12-01 marked a stalled upload's 408 permanent).
NEVER_FINAL_STATUSES = frozenset({408, 429})
CONFIGURATION_STATUSES = frozenset({403, 404})  # camera not ours / unknown: wait for an admin
UPLOAD_TIMEOUT = httpx.Timeout(30.0, connect=5.0, read=120.0)


class UploadError(Exception):
    """This attempt failed and may be retried; ``refused`` means the token was refused."""

    def __init__(self, message: str, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused


class TokenBucket:
    """Paces a byte stream to ``bytes_per_s``, allowing bursts of ``burst`` bytes."""

    def __init__(self, bytes_per_s: float, burst: int) -> None:
        self.bytes_per_s = bytes_per_s
        self._burst = burst
        self._tokens = float(burst)
        self._last = time.monotonic()

    async def take(self, count: int) -> None:
        """Wait until ``count`` bytes may be sent."""
        now = time.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._last) * self.bytes_per_s)
        self._last = now
        self._tokens -= count
        if self._tokens < 0:
            await asyncio.sleep(-self._tokens / self.bytes_per_s)


def repr_digest(sha256_hex: str) -> str:
    """The RFC 9530 ``Repr-Digest`` value for a hex sha256."""
    return f"sha-256=:{base64.b64encode(bytes.fromhex(sha256_hex)).decode()}:"


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail", response.text))
    except (ValueError, AttributeError):
        return response.text.strip() or response.reason_phrase


class SegmentUploader:
    """Uploads every camera's segments, oldest first, one at a time."""

    def __init__(self, spool: Spool, http: httpx.AsyncClient, server_url: str,
                 clock: ServerClock, upload_kbps: int, refused_delay_s: float) -> None:
        self.uploaded = 0
        self.bytes_sent = 0
        self._spool = spool
        self._http = http
        self._base = server_url.rstrip("/")
        self._clock = clock
        self._bucket = TokenBucket(upload_kbps * 1000 / 8, CHUNK_BYTES)
        self._refused_delay_s = refused_delay_s

    async def run(self) -> None:
        """Upload forever, until cancelled.

        Backoff is per camera: a segment that keeps failing delays only its own camera's
        queue (whose order it must keep for the hash chain), never the other cameras'.
        """
        backoff: dict[int, tuple[float, float]] = {}  # camera -> (retry at, current delay)
        while True:
            now = time.monotonic()
            waiting = {camera for camera, (retry_at, _) in backoff.items() if retry_at > now}
            meta = await asyncio.to_thread(self._spool.oldest, waiting)
            if meta is None:
                next_retry = min((at for at, _ in backoff.values() if at > now), default=None)
                pause = IDLE_POLL_S if next_retry is None else min(IDLE_POLL_S, next_retry - now)
                await asyncio.sleep(max(pause, 0.05))
                continue
            try:
                await self.upload(meta)
                backoff.pop(meta.camera_id, None)
            except UploadError as error:
                previous = backoff.get(meta.camera_id, (0.0, BACKOFF_INITIAL_S / 2))[1]
                delay = self._refused_delay_s if error.refused else min(previous * 2, BACKOFF_MAX_S)
                backoff[meta.camera_id] = (time.monotonic() + delay, delay)
                logger.warning("segment %s not uploaded: %s; retrying in %.1f s", meta.start_ms,
                               error, delay, extra={"camera": meta.camera_id})

    async def upload(self, meta: SegmentMeta) -> None:
        """Send one segment and settle it (deleted or rejected); raises :class:`UploadError`."""
        try:
            offset_ms = meta.clock_offset_ms
            if offset_ms is None:  # recorded before the first measurement, or recovered
                offset_ms = await self._clock.current()
        except ClockError as error:
            raise UploadError(str(error)) from error
        path = self._spool.segment_path(meta)
        headers = {
            "Content-Type": "video/mp2t",
            "Content-Length": str(meta.size),
            "Repr-Digest": repr_digest(meta.sha256),
            "X-Segment-End-Ms": str(meta.end_ms),
            "X-Clock-Offset-Ms": repr(offset_ms),
        }
        url = f"{self._base}/api/cameras/{meta.camera_id}/segments/{meta.start_ms}"
        try:
            response = await self._http.put(url, content=self._body(path), headers=headers,
                                            timeout=UPLOAD_TIMEOUT)
            await self._settle(meta, response)
        except httpx.HTTPError as error:
            raise UploadError(f"server unreachable ({type(error).__name__}: {error})") from error
        except OSError as error:  # the spool's disk, not the network
            raise UploadError(f"spool file trouble: {error}") from error

    async def _body(self, path: Path) -> AsyncIterator[bytes]:
        with open(path, "rb") as file:
            while chunk := await asyncio.to_thread(file.read, CHUNK_BYTES):
                await self._bucket.take(len(chunk))
                self.bytes_sent += len(chunk)
                yield chunk

    async def _settle(self, meta: SegmentMeta, response: httpx.Response) -> None:
        log = {"camera": meta.camera_id}
        status = response.status_code
        if status in (200, 201):
            acknowledged = _json_field(response, "sha256")
            if acknowledged != meta.sha256:
                await self._reject(meta, status, f"server acknowledged sha256 "
                                   f"{acknowledged!r}, we sent {meta.sha256}")
                return
            await asyncio.to_thread(self._spool.acknowledge, meta)
            self.uploaded += 1
            logger.info("segment %s uploaded (%s, %d bytes)", meta.start_ms,
                        "stored" if status == 201 else "already stored", meta.size, extra=log)
        elif response.headers.get(PERMANENT_REJECTION_HEADER) == "permanent" \
                and status < 500 and status not in NEVER_FINAL_STATUSES:
            await self._reject(meta, status, _detail(response))
        elif status == 401:
            raise UploadError(f"server refused the device token: {_detail(response)}", True)
        elif status in CONFIGURATION_STATUSES:
            raise UploadError(f"server answered {status}: {_detail(response)} (check the camera "
                              "assignment and server_url; the segment stays queued)", True)
        else:
            raise UploadError(f"server answered {status}: {_detail(response)}")

    async def _reject(self, meta: SegmentMeta, status: int, detail: str) -> None:
        kept = await asyncio.to_thread(self._spool.reject, meta, status, detail)
        logger.error("server refused segment %s (%d: %s); kept as %s for inspection",
                     meta.start_ms, status, detail, kept, extra={"camera": meta.camera_id})


def _json_field(response: httpx.Response, name: str) -> str | None:
    try:
        value = response.json().get(name)
    except (ValueError, AttributeError):
        return None
    return str(value) if value is not None else None
