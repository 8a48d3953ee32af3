"""``proctor bench analyze``: do N live cameras get analysed without falling behind?

Everything runs in this process, as in the server, except the detector, which runs in its
own child process exactly as the server starts it (:class:`proctor.vision.analyzer.Analyzer`
with a SQLite database in a temporary folder). There is no WebRTC: each camera's feed is
fed by decoding real footage with PyAV, paced in real time at the footage's frame rate and
looped, each camera starting at a different point of it. The server decodes every camera
that publishes, so decoding stays in the measured process and counts in ``cpu_pct``; it is
also timed on its own (``decode_cpu_pct``, thread CPU time of the decoding calls, FFmpeg
decoding in the calling thread), so that ``analysis_cpu_pct`` is what analysis alone costs.
With ``keyframes_only`` each camera decodes only its keyframes (FFmpeg's ``skip_frame``),
delivered at their own times: what a keyframe-only subscription for analysis costs. With
``encoded`` the bench decodes nothing: each camera's H.264 access units go to its
:class:`CameraFeed` as the tapped WHIP track delivers them, and the feed decodes what the
server decodes (keyframes only, on its ``dec-*`` threads, whose CPU is ``decode_cpu_pct``).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import av
import numpy as np
from av.bitstream import BitStreamFilterContext

from proctor.config import REPO_ROOT, Settings, load_settings
from proctor.db.migrate import upgrade_database
from proctor.db.session import create_db_engine, create_session_factory, session_scope
from proctor.errors import ProctorError
from proctor.events.hub import AlertHub
from proctor.media.feed import CameraFeed, FeedRegistry
from proctor.rtc.encoded import EncodedFrame
from proctor_dev.bench.cpu import CpuMeter, resident_mb, thread_cpu_seconds
from proctor_dev.provision import provision_site

if TYPE_CHECKING:
    from proctor.vision.analyzer import Analyzer
    from proctor.vision.detector_pool import DetectorPool

MEDIA_DIR = REPO_ROOT / "var" / "media"
DEFAULT_FOOTAGE = MEDIA_DIR / "vtest-h264.mp4"
FETCH_FOOTAGE = ("python -c \"from pathlib import Path; from proctor_dev.samples import "
                 f"h264_sample; h264_sample(Path('{MEDIA_DIR}'))\"")  # as scripts/test does
FALLBACK_FOOTAGE_FPS = 15.0  # pacing when the file does not declare its frame rate
READY_TIMEOUT_S = 180.0  # the detector's own start timeout is 120 s
PROGRESS_EVERY_S = 10.0
CPU_INCLUDES = "footage decode + analyzer (this process) + detector processes"
DECODES = {False: "every frame", True: "keyframes only"}
ENCODED = "access units to the feed (it decodes keyframes only)"
RTP_CLOCK = 90_000  # H.264 RTP timestamps


class AnalyzeBenchError(ProctorError):
    """The benchmark cannot run or its measurement is invalid; the message says why."""


class FootageLoop:
    """One camera's copy of the footage: decoded frame by frame, looping, from an offset."""

    def __init__(self, path: Path, offset_s: float, keyframes_only: bool = False) -> None:
        try:
            self._container = av.open(str(path))
        except (OSError, av.FFmpegError) as error:
            raise AnalyzeBenchError(f"cannot open footage {path}: {error}") from error
        if not self._container.streams.video:
            self._container.close()
            raise AnalyzeBenchError(f"footage {path} has no video stream")
        self._stream = self._container.streams.video[0]
        self._stream.codec_context.thread_count = 1  # decoded in the calling thread: timed
        if keyframes_only:
            self._stream.codec_context.skip_frame = "NONKEY"
        self.decode_cpu_s = 0.0  # CPU time spent in next_frame, in the calling threads
        self._skip_before_s = 0.0
        self._frames: Iterator[av.VideoFrame] = iter(())
        self._units: Iterator[bytes] = iter(())
        self._annexb = BitStreamFilterContext("h264_mp4toannexb", self._stream)
        self._sent = 0  # access units handed out: their 90 kHz timestamps keep rising
        self._rewind(offset_s)

    @property
    def fps(self) -> float:
        """The footage's frame rate (the pacing), or 15 when the file does not say."""
        rate = self._stream.average_rate or self._stream.guessed_rate
        return float(rate) if rate else FALLBACK_FOOTAGE_FPS

    @property
    def resolution(self) -> str:
        """Width x height of the footage."""
        return f"{self._stream.width}x{self._stream.height}"

    def _rewind(self, at_s: float) -> None:
        time_base = self._stream.time_base
        target = int(at_s / time_base) if at_s > 0 and time_base else 0
        self._container.seek(target, stream=self._stream)  # to the keyframe at or before
        self._skip_before_s = at_s
        self._frames = self._container.decode(self._stream)
        # the empty packet at the end of the file would flush the filter for good: skipped
        self._units = (bytes(unit) for packet in self._container.demux(self._stream)
                       if packet.size for unit in self._annexb.filter(packet))

    def next_unit(self) -> EncodedFrame:
        """The next access unit as a publisher sends it (Annex-B), starting at the keyframe
        at or before the offset; from the start again at the end of the file."""
        for _ in range(2):
            for data in self._units:
                timestamp = round(self._sent * RTP_CLOCK / self.fps)
                self._sent += 1
                return EncodedFrame.parse(data, timestamp)
            self._rewind(0.0)
        raise AnalyzeBenchError("the footage has no H.264 packets")

    def next_frame(self) -> av.VideoFrame:
        """The next decoded frame; from the start again at the end of the file (blocking).
        Its CPU time is added to :attr:`decode_cpu_s`."""
        started = time.thread_time()
        try:
            return self._next_frame()
        finally:
            self.decode_cpu_s += time.thread_time() - started

    def _next_frame(self) -> av.VideoFrame:
        for _ in range(2):
            for frame in self._frames:
                if frame.time is not None and frame.time < self._skip_before_s:
                    continue  # between the keyframe the seek landed on and the offset
                self._skip_before_s = 0.0
                return frame
            self._rewind(0.0)
        raise AnalyzeBenchError("the footage has no decodable video frames")

    def close(self) -> None:
        """Close the file."""
        self._container.close()


def footage_gop(path: Path) -> tuple[int, int]:
    """(video packets, keyframes) of the footage: its mean keyframe interval in frames is
    their ratio."""
    try:
        with av.open(str(path)) as container:
            packets = keyframes = 0
            for packet in container.demux(video=0):
                if packet.size:
                    packets += 1
                    keyframes += packet.is_keyframe
    except (OSError, av.FFmpegError) as error:
        raise AnalyzeBenchError(f"cannot read footage {path}: {error}") from error
    if not keyframes:
        raise AnalyzeBenchError(f"footage {path} has no keyframes")
    return packets, keyframes


def footage_duration_s(path: Path) -> float:
    """Length of the footage in seconds (0 when the file does not say)."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise AnalyzeBenchError(f"footage {path} has no video stream")
            stream = container.streams.video[0]
            if stream.duration and stream.time_base:
                return float(stream.duration * stream.time_base)
            return float(container.duration or 0) / av.time_base
    except (OSError, av.FFmpegError) as error:
        raise AnalyzeBenchError(f"cannot open footage {path}: {error}") from error


async def _play(feed: CameraFeed, footage: FootageLoop, executor: ThreadPoolExecutor,
                period: float, encoded: bool) -> None:
    """Deliver the footage to the feed in real time, one frame every PERIOD seconds (the
    frame interval, or the keyframe interval when only keyframes are decoded), as the WHIP
    reader would: decoded pictures, or ENCODED access units."""
    loop = asyncio.get_running_loop()
    read: Callable[[], EncodedFrame | av.VideoFrame] = (
        footage.next_unit if encoded else footage.next_frame)
    due = loop.time()
    while True:
        # Read (and decoded) in a thread, like aiortc's decoder thread per received track.
        item = await loop.run_in_executor(executor, read)
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        # CameraFeed._deliver(_encoded) are private: what CameraFeed._read calls for each
        # item of the attached track. Calling them directly skips WebRTC without adding to
        # feed.py.
        if isinstance(item, EncodedFrame):
            feed._deliver_encoded(item)
        else:
            feed._deliver(item)
        due += period
        if loop.time() - due > 1.0:  # decoding fell a second behind: carry on, no burst
            due = loop.time()


def _provision(settings: Settings, cameras: int) -> list[int]:
    upgrade_database(settings.database_url)
    engine = create_db_engine(settings.database_url)
    try:
        with session_scope(create_session_factory(engine)) as db:
            site = provision_site(db, "bench", "Bench site", "Bench room",
                                  [f"cam{i}" for i in range(cameras)])
    finally:
        engine.dispose()
    return site.camera_ids


def analyze_settings(data_dir: Path, fps: float | None, backend: str | None,
                     imgsz: int | None) -> Settings:
    """Server settings for the run: the environment's, with a private SQLite database in
    DATA_DIR and the given analysis rate and detector options (None keeps the setting)."""
    base = load_settings(data_dir=data_dir)
    detector = dict(base.analysis_detector)
    if backend is not None:
        detector["type"] = backend
    if imgsz is not None:
        detector["imgsz"] = imgsz
    overrides: dict[str, Any] = {"analysis_detector": detector}
    if fps is not None:
        overrides["analysis_fps"] = fps
    return load_settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'proctor.db'}",
                         **overrides)


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    return round(float(np.percentile(values, q)), 3)


def _pool(analyzer: Analyzer) -> DetectorPool:
    """The analyzer's detector processes (this bench runs them locally)."""
    from proctor.vision.detector_pool import DetectorPool

    pool = analyzer.detector
    if not isinstance(pool, DetectorPool):
        raise AnalyzeBenchError("the analyzer has no local detector processes")
    return pool


async def _wait_until_ready(analyzer: Analyzer, timeout_s: float) -> None:
    """Wait until every detector process runs."""
    pool = _pool(analyzer)
    deadline = time.monotonic() + timeout_s
    while len(pool.running) < pool.size:
        error = analyzer.detector_error
        if error not in (None, "detector starting"):
            raise AnalyzeBenchError(f"the detector did not start: {error}")
        if time.monotonic() > deadline:
            raise AnalyzeBenchError(
                f"the detector was not ready within {timeout_s:.0f} s (state: {error})")
        await asyncio.sleep(0.2)


async def run_analyze_bench(cameras: int, seconds: float, fps: float | None = None,
                            backend: str | None = None, imgsz: int | None = None,
                            footage: Path | None = None, settle_s: float = 3.0,
                            keyframes_only: bool = False, encoded: bool = False,
                            log: Callable[[str], object] = print) -> dict[str, Any]:
    """Run the benchmark and return its figures (the JSON object printed last); with
    KEYFRAMES_ONLY the cameras decode only their keyframes, with ENCODED the feeds get
    access units and decode as the server does."""
    if keyframes_only and encoded:
        raise AnalyzeBenchError("choose keyframes-only or encoded: with encoded the feed "
                                "decides what it decodes (keyframes only)")
    from proctor.app import check_analysis
    from proctor.events.log import EventLog
    from proctor.events.sink import EventSink
    from proctor.scenes.store import DbSceneStore
    from proctor.vision.analyzer import Analyzer

    path = footage or DEFAULT_FOOTAGE
    if not path.is_file():
        fetch = (f"; fetch the sample footage with `{FETCH_FOOTAGE}` (scripts/test and "
                 "scripts/demo do it too)" if footage is None else "")
        raise AnalyzeBenchError(f"footage {path} does not exist{fetch}")
    duration_s = footage_duration_s(path)
    packets, keyframes = footage_gop(path)
    with tempfile.TemporaryDirectory(prefix="proctor-bench-analyze-") as tmp:
        settings = analyze_settings(Path(tmp), fps, backend, imgsz)
        check_analysis(settings)  # missing model or vision packages: says what to run
        camera_ids = await asyncio.to_thread(_provision, settings, cameras)
        engine = create_db_engine(settings.database_url)
        feeds = FeedRegistry(settings.camera_offline_after_s)
        session_factory = create_session_factory(engine)
        events = EventLog(session_factory, None, settings.retention_years)
        analyzer = Analyzer.build(settings, feeds, DbSceneStore(session_factory),
                                  EventSink(events, AlertHub()))
        executor = ThreadPoolExecutor(max_workers=cameras, thread_name_prefix="bench-decode")
        loops: list[FootageLoop] = []
        players: list[asyncio.Task[None]] = []
        try:
            loops += [FootageLoop(path, duration_s * i / cameras, keyframes_only)
                      for i in range(cameras)]
            fps_footage = loops[0].fps
            gop = {"gop_frames": round(packets / keyframes, 1),
                   "keyframe_interval_s": round(packets / keyframes / fps_footage, 2)}
            period = gop["keyframe_interval_s"] if keyframes_only else 1 / fps_footage
            label = f"{path.name} {loops[0].resolution}@{fps_footage:g}"
            decode = ENCODED if encoded else DECODES[keyframes_only]
            log(f"{cameras} camera(s) playing {label} (decoded in this process: "
                f"{decode}, keyframe every {gop['gop_frames']:g} frames), "
                f"analysis at {settings.analysis_fps:g} fps per camera; starting the detector")
            players = [asyncio.create_task(_play(feeds.get(cid), source, executor, period,
                                                 encoded),
                                           name=f"bench-camera-{cid}")
                       for cid, source in zip(camera_ids, loops, strict=True)]
            await analyzer.start()
            await _wait_until_ready(analyzer, READY_TIMEOUT_S)
            await asyncio.sleep(settle_s)
            def decode_cpu_s() -> float:
                if encoded:
                    return sum(thread_cpu_seconds(thread) for thread in threading.enumerate()
                               if thread.name.startswith("dec-"))  # the feeds' decoders
                return sum(source.decode_cpu_s for source in loops)

            result = await _measure(analyzer, feeds, camera_ids, players, decode_cpu_s,
                                    seconds, log)
        finally:
            for task in players:
                task.cancel()
            await asyncio.gather(*players, return_exceptions=True)
            await analyzer.close()
            await feeds.close()
            executor.shutdown(wait=True)
            for source in loops:
                source.close()
            engine.dispose()
    fps_target, p95 = settings.analysis_fps, result["lag_s_p95"]
    return {"cameras": cameras, "fps": fps_target, **result,
            "keeps_up": bool(result["analysed"] > 0 and result["dropped_samples"] == 0
                             and p95 is not None and p95 < 1 / fps_target),
            "footage": label, "decode": decode, **gop,
            "cpu_includes": CPU_INCLUDES}


def _check_running(analyzer: Analyzer, detector_pids: list[int | None],
                   players: list[asyncio.Task[None]]) -> None:
    """Raise if a detector restarted or a camera stopped playing: the figures would lie."""
    if _pool(analyzer).pids != detector_pids:
        raise AnalyzeBenchError(f"a detector process stopped during the window "
                                f"({analyzer.detector_error}); no valid figures")
    for task in players:
        if task.done():
            error = task.exception() if not task.cancelled() else None
            raise AnalyzeBenchError(f"{task.get_name()} stopped playing: {error!r}")


async def _measure(analyzer: Analyzer, feeds: FeedRegistry, camera_ids: list[int],
                   players: list[asyncio.Task[None]], decode_cpu_s: Callable[[], float],
                   seconds: float, log: Callable[[str], object]) -> dict[str, Any]:
    """Counters, lag and CPU over the window (the analyzer must be ready)."""
    model = analyzer.model
    detector_pids = _pool(analyzer).pids
    if model is None or None in detector_pids:
        raise AnalyzeBenchError(f"a detector process stopped before the window: "
                                f"{analyzer.detector_error}")
    children = [pid for pid in detector_pids if pid is not None]
    stats = analyzer.stats
    # Lags of the window only: the analyzer's deque is bounded (2000 entries), so it gets an
    # unbounded one from now on instead of an index into one that may wrap.
    lags: deque[float] = deque()
    stats.lag_s = lags
    samples0, analysed0, dropped0 = stats.samples, stats.analysed, stats.dropped
    frames0 = sum(feeds.get(cid).frames_received for cid in camera_ids)
    decode0 = decode_cpu_s()
    meters = [CpuMeter(pid) for pid in (os.getpid(), *children)]
    for meter in meters:
        meter.start()
    started = time.monotonic()
    deadline, next_report = started + seconds, started + PROGRESS_EVERY_S
    while (now := time.monotonic()) < deadline:
        await asyncio.sleep(min(1.0, deadline - now))
        _check_running(analyzer, detector_pids, players)
        if time.monotonic() >= next_report and next_report < deadline - 1:
            next_report += PROGRESS_EVERY_S
            log(f"  {time.monotonic() - started:4.0f} s: samples {stats.samples - samples0}"
                f", analysed {stats.analysed - analysed0}, dropped {stats.dropped - dropped0}"
                f", lag p95 {_percentile(list(lags), 95)} s"
                f", cpu {sum(m.percent() for m in meters):.0f} %")
    elapsed = time.monotonic() - started
    process_cpu, *detectors_cpu = (meter.percent() for meter in meters)
    detector_cpu = sum(detectors_cpu)
    samples, analysed = stats.samples - samples0, stats.analysed - analysed0
    dropped = stats.dropped - dropped0
    frames = sum(feeds.get(cid).frames_received for cid in camera_ids) - frames0
    decode_cpu = 100 * (decode_cpu_s() - decode0) / elapsed
    window_lags = list(lags)
    return {"seconds": round(elapsed, 1), "samples": samples, "analysed": analysed,
            "dropped_samples": dropped, "lag_s_p50": _percentile(window_lags, 50),
            "lag_s_p95": _percentile(window_lags, 95),
            "cpu_pct": round(process_cpu + detector_cpu, 1),
            "cpu_pct_detector": round(detector_cpu, 1), "decode_cpu_pct": round(decode_cpu, 1),
            "analysis_cpu_pct": round(process_cpu + detector_cpu - decode_cpu, 1),
            "cores": os.cpu_count() or 0, "load_avg_1m": round(os.getloadavg()[0], 2),
            "backend": model.backend, "model": model.name, "imgsz": model.imgsz,
            "detector_processes": len(children),
            "detector_rss_mb": [round(resident_mb(pid)) for pid in children],
            "footage_fps_delivered": round(frames / elapsed / len(camera_ids), 2)}
