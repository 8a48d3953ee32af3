"""Records one camera's H.264 packets into MPEG-TS segments in the spool, by remuxing only.

Why MPEG-TS: see :mod:`edge_agent.segment_file`.

Each segment starts with a keyframe: a segment is cut at the first keyframe at or after
``segment_seconds``, when the source restarts (its clock starts over) and at the edges of the
recording window. Times are the agent's wall clock in epoch ms: a segment starts when its
first packet arrived and ends when the next segment's first packet arrived (or one frame
interval after its last packet). :meth:`SegmentRecorder.feed` runs on the camera's worker
thread for every packet; it costs a mux call (tens of microseconds), the sha256 is computed
as the bytes are written, and a finished segment is fsynced and committed once per segment.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from datetime import time as time_of_day
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import av

from edge_agent.config import RecordingConfig
from edge_agent.recovery import recover_segment
from edge_agent.segment_file import SegmentFile, packet_pts, parameter_sets
from edge_agent.spool import SegmentMeta, Spool
from proctor.rtc.h264 import VIDEO_CLOCK_RATE, H264Packet

logger = logging.getLogger(__name__)

ERROR_LOG_INTERVAL_S = 30.0

try:
    AGENT_VERSION = version("proctor")
except PackageNotFoundError:  # running from a source tree that was not installed
    AGENT_VERSION = "unknown"


class SegmentRecorder:
    """Cuts one camera's packets into spooled segments (used from the camera's worker thread)."""

    def __init__(self, camera_id: int, spool: Spool, settings: RecordingConfig,
                 clock_offset_ms: Callable[[], float | None]) -> None:
        self.camera_id = camera_id
        self.segments_written = 0
        self._spool = spool
        self._length_pts = round(settings.segment_seconds * VIDEO_CLOCK_RATE)
        self._window = settings.daily_window()
        self._clock_offset_ms = clock_offset_ms
        self._segment: SegmentFile | None = None
        self._parameter_sets = b""
        self._unsalvaged: Path | None = None  # a failed segment a full disk kept us from saving
        self._last_error_log = -ERROR_LOG_INTERVAL_S
        self._log = {"camera": camera_id}

    @property
    def recording(self) -> bool:
        """Whether a segment is being written now."""
        return self._segment is not None

    def feed(self, packet: H264Packet, wall_ms: int | None = None) -> None:
        """Record one packet (Annex-B H.264, pts on the 90 kHz clock) that arrived at
        ``wall_ms`` (default: now). Never raises: a recording failure is logged and must not
        stop the live path."""
        self._safely(self._feed, packet, int(time.time() * 1000) if wall_ms is None else wall_ms)

    def cut(self) -> None:
        """Finish the current segment now (source ended or the agent is stopping)."""
        segment = self._segment
        if segment is not None:
            end_ms = segment.last_wall_ms + round(segment.frame_pts * 1000 / VIDEO_CLOCK_RATE)
            self._safely(self._finish, end_ms)

    def _safely(self, action: Callable[..., None], *args: object) -> None:
        try:
            action(*args)
        except Exception:  # noqa: BLE001 (any failure: keep the camera and live view running)
            logger.exception("recording failed; the next keyframe starts a new segment",
                             extra=self._log)
            self._abandon()

    def _feed(self, packet: H264Packet, wall_ms: int) -> None:
        if self._window and not self._window.contains(_local_time(wall_ms)):
            if self._segment is not None:
                self._finish(wall_ms)
            return
        if packet.is_keyframe:
            self._parameter_sets = parameter_sets(bytes(packet)) or self._parameter_sets
        segment = self._segment
        if segment is not None and (packet_pts(packet) <= segment.last_pts or (
                packet.is_keyframe and packet_pts(packet) - segment.first_pts >= self._length_pts)):
            self._finish(wall_ms)  # long enough, or the source restarted and its clock with it
            segment = None
        if segment is None:
            if not packet.is_keyframe:
                return
            segment = self._open(packet_pts(packet), wall_ms)
            if segment is None:
                return
            packet = self._self_contained(packet)
        segment.write(packet, wall_ms)

    def _self_contained(self, packet: H264Packet) -> H264Packet:
        """A segment's first keyframe, with the last seen SPS/PPS if it lacks them (cameras
        that send them only every few keyframes), so every segment decodes on its own."""
        if not self._parameter_sets or parameter_sets(bytes(packet)):
            return packet
        fixed = av.Packet(self._parameter_sets + bytes(packet))
        fixed.pts = fixed.dts = packet.pts
        fixed.time_base = packet.time_base
        fixed.is_keyframe = True
        return fixed

    def _open(self, first_pts: int, wall_ms: int) -> SegmentFile | None:
        if not self._spool.has_room_to_record():
            self._error("disk nearly full at %s: not recording until space is freed",
                        self._spool.root)
            return None
        if self._unsalvaged is not None:  # there is room again: queue it before going on
            self._salvage(self._unsalvaged)
        part, start_ms = self._spool.new_part(self.camera_id, wall_ms)
        self._segment = SegmentFile(part, start_ms, first_pts, self._clock_offset_ms())
        return self._segment

    def _finish(self, end_ms: int) -> None:
        segment, self._segment = self._segment, None
        assert segment is not None
        try:
            segment.close()
            meta = SegmentMeta(
                camera_id=self.camera_id, start_ms=segment.start_ms, end_ms=end_ms,
                sha256=segment.output.sha256.hexdigest(), size=segment.output.size,
                clock_offset_ms=segment.clock_offset_ms, agent_version=AGENT_VERSION,
                packets=segment.packets,
            )
            self._spool.commit(segment.part, meta)
        except (OSError, av.FFmpegError) as error:
            self._error("could not finish segment %s (%s)", segment.part, error)
            self._salvage(segment.part)
            return
        self.segments_written += 1
        logger.info("segment %s recorded (%d bytes, %.1f s)", meta.start_ms, meta.size,
                    (end_ms - meta.start_ms) / 1000, extra=self._log)
        logger.debug("segment %s: %d packets, %d bytes", segment.start_ms, segment.packets,
                     segment.output.size, extra=self._log)

    def _abandon(self) -> None:
        segment, self._segment = self._segment, None
        if segment is not None:
            with contextlib.suppress(OSError, av.FFmpegError):
                segment.close()  # on failure, what reached the disk is salvaged below
            self._salvage(segment.part)

    def _salvage(self, part: Path) -> None:
        """Make what reached the disk of a failed segment pending (or keep it aside). When
        that fails too (the disk is full), it is tried again before the next segment opens,
        which happens only once there is room, and at the next start at the latest."""
        self._unsalvaged = None
        renamed = part.with_suffix("")  # the commit failed after its first rename
        path = part if part.exists() else renamed
        if not path.exists() or path.with_suffix(".json").exists():
            return
        try:
            recover_segment(self._spool, path, self.camera_id, AGENT_VERSION)
        except OSError as error:
            self._unsalvaged = part
            self._error("kept %s to queue once there is room (%s)", part, error)

    def _error(self, message: str, *args: object) -> None:
        """An ERROR log, at most every ERROR_LOG_INTERVAL_S (a full disk fails every segment)."""
        now = time.monotonic()
        if now - self._last_error_log >= ERROR_LOG_INTERVAL_S:
            self._last_error_log = now
            logger.error(message, *args, extra=self._log)


def _local_time(wall_ms: int) -> time_of_day:
    local = time.localtime(wall_ms / 1000)
    return time_of_day(local.tm_hour, local.tm_min, local.tm_sec)
