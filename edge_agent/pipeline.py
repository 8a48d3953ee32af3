"""One camera's pipeline: read the source on a worker thread, encode raw frames once, and
hand every H.264 packet to the recorder and to the live WHIP track, if attached.

The source keeps running while no publisher is attached, so a reconnect starts from live
video instead of re-opening the camera, and the recording never depends on the live link.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

import av

from edge_agent.config import CameraConfig
from edge_agent.encoding import FALLBACK_FPS, encoder_settings, gop_frames
from edge_agent.recorder import SegmentRecorder
from edge_agent.sources import SourceError, StreamInfo, VideoSource, open_source
from proctor.rtc.h264 import H264Encoder, H264Packet
from proctor.rtc.tracks import PacketTrack

logger = logging.getLogger(__name__)

SOURCE_RETRY_MAX_S = 10.0


class CameraPipeline:
    """Owns the source thread of one camera, its recorder and the attached live track."""

    def __init__(self, camera: CameraConfig, loop: asyncio.AbstractEventLoop,
                 recorder: SegmentRecorder | None = None, stream: str = "main") -> None:
        self.camera = camera
        self.stream = stream
        self.recorder = recorder
        self.packets_sent = 0
        self.items_read = 0
        self.source_errors = 0
        self._loop = loop
        self._track: PacketTrack | None = None
        self._stop = threading.Event()
        self._encoder: H264Encoder | None = None  # made for the source's size and rate
        self.taps: list[Callable[[H264Packet], None]] = []  # see every packet (edge detection)
        self._thread = threading.Thread(target=self._run, name=f"camera-{camera.id}-{stream}",
                                        daemon=True)

    def start(self) -> None:
        """Start reading the camera."""
        self._thread.start()

    def stop(self) -> None:
        """Stop reading (the thread ends after its current read)."""
        self._stop.set()

    def join(self, timeout_s: float) -> bool:
        """Wait for the thread to end (it finishes the segment being recorded); True if it did."""
        if self._thread.is_alive():
            self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def attach(self, track: PacketTrack | None) -> None:
        """Send packets to ``track`` from its first keyframe on (``None`` detaches)."""
        self._track = track

    def _run(self) -> None:
        delay = 1.0
        while not self._stop.is_set():
            read_before = self.items_read
            try:
                source = open_source(self.camera)
                self._pump(source)
                delay = 1.0
                if not self.camera.loop:
                    logger.info("source ended", extra={"camera": self.camera.id})
                    return
            except Exception as error:  # noqa: BLE001 (nothing may end a camera for good)
                if self.items_read > read_before:
                    delay = 1.0  # it delivered video before failing: retry quickly again
                self.source_errors += 1
                log = {"camera": self.camera.id}
                if isinstance(error, SourceError):
                    logger.error("camera source failed, retrying in %.0f s: %s", delay, error,
                                 extra=log)
                else:  # a bug or an OS fault: the thread used to die, the camera stayed dark
                    logger.exception("camera thread failed, reopening the source in %.0f s",
                                     delay, extra=log)
                self._stop.wait(delay)
                delay = min(delay * 2, SOURCE_RETRY_MAX_S)

    def _pump(self, source: VideoSource) -> None:
        try:
            for item in source.items():
                if self._stop.is_set():
                    return
                self.items_read += 1
                if isinstance(item, av.VideoFrame):
                    self._encode_and_send(item, source.info)
                else:
                    self._send(item)
        finally:
            source.close()
            if self.recorder is not None:
                self.recorder.cut()  # a restarted source starts its clock over

    def _encode_and_send(self, frame: av.VideoFrame, info: StreamInfo | None) -> None:
        track = self._track
        force = track is not None and track.needs_keyframe
        encoder = self._encoder_for(frame, info)
        for packet in encoder.encode(frame, force_keyframe=force):
            self._send(packet)

    def _encoder_for(self, frame: av.VideoFrame, info: StreamInfo | None) -> H264Encoder:
        """The encoder for this frame's size and the source's rate (a new one, starting with
        a keyframe, when either changed, e.g. a camera reconnecting at another resolution)."""
        fps = info.fps if info is not None and info.fps else None
        settings = encoder_settings(frame.width, frame.height, fps or FALLBACK_FPS,
                                    self.camera.gop_seconds, self.camera.bitrate_kbps)
        if self._encoder is None or self._encoder.settings != settings:
            if fps is None:
                logger.warning("source states no frame rate; encoding as %.0f fps",
                               FALLBACK_FPS, extra={"camera": self.camera.id})
            logger.info("encoding %dx%d at %d fps: keyframe every %d frames, %d kbit/s",
                        frame.width, frame.height, settings.nominal_fps,
                        gop_frames(settings),
                        settings.bitrate_kbps, extra={"camera": self.camera.id})
            self._encoder = H264Encoder(settings)
        return self._encoder

    def _send(self, packet: H264Packet) -> None:
        """Record the packet, then hand it to the live track (the recorder is done with it
        before the event loop thread sees it)."""
        if self.recorder is not None:
            self.recorder.feed(packet)
        for tap in self.taps:
            tap(packet)
        track = self._track
        if track is None or track.readyState != "live":
            return
        if track.needs_keyframe:
            if not packet.is_keyframe:
                return  # a new viewer of a pass-through camera waits for the camera's keyframe
            track.needs_keyframe = False
        self.packets_sent += 1
        self._loop.call_soon_threadsafe(track.push, packet)

