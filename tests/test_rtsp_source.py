"""RTSP cameras against a real RTSP server (GStreamer's gst-rtsp-server,
``tests/support/rtsp_server.py``):
the agent's source reads the stream, sends its H.264 as it is, hides credentials and waits for
a camera that comes up late. Everything listens on 127.0.0.1 only.

The server runs under the system interpreter with PyGObject; if GStreamer or its RTSP server
is missing these tests fail (not skip) and name the Debian packages to install.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import httpx
import pytest
from support.ingest import segments, store_of
from support.stack import Stack, sdp_offer
from support.wait import wait_until, wait_until_sync

from edge_agent.config import CameraConfig
from edge_agent.pipeline import CameraPipeline
from edge_agent.sources import open_source
from proctor.rtc.tracks import PacketTrack
from proctor_dev.bench.viewer import WhepViewer
from proctor_dev.processes import ManagedProcess, free_port

SYSTEM_PYTHON = Path("/usr/bin/python3")
SERVER_SCRIPT = Path(__file__).parent / "support" / "rtsp_server.py"
DEBIAN_PACKAGES = ("python3-gi", "gir1.2-gst-rtsp-server-1.0", "gstreamer1.0-plugins-good",
                   "gstreamer1.0-plugins-bad")
FOOTAGE_SIZE = (768, 576)
FOOTAGE_FPS = 10
START_CODES = (b"\x00\x00\x00\x01", b"\x00\x00\x01")
NAL_SPS, NAL_PPS, NAL_IDR = 7, 8, 5
PASSWORD = "Rtsp-Pa55-9f3c1d"  # distinctive, so a leak into the log cannot be a coincidence


@dataclass
class RtspCamera:
    """One running ``tests/support/rtsp_server.py``."""

    port: int
    process: ManagedProcess

    def url(self, credentials: str = "", path: str = "/cam") -> str:
        return f"rtsp://{credentials + '@' if credentials else ''}127.0.0.1:{self.port}{path}"


StartRtsp = Callable[..., RtspCamera]


@pytest.fixture(scope="session")
def gstreamer_rtsp() -> None:
    """Fail (not skip) with the packages to install when the RTSP server cannot run."""
    install = f"apt-get install {' '.join(DEBIAN_PACKAGES)}"
    if not SYSTEM_PYTHON.is_file():
        pytest.fail(f"{SYSTEM_PYTHON} not found; the RTSP test server needs it: {install}")
    check = subprocess.run([str(SYSTEM_PYTHON), str(SERVER_SCRIPT), "--check"],
                           check=False, capture_output=True, text=True, timeout=60)
    if check.returncode != 0:
        pytest.fail(f"GStreamer RTSP server unavailable ({check.stderr.strip()}); "
                    f"the RTSP tests need: {install}")


@pytest.fixture
def start_rtsp(gstreamer_rtsp: None, h264_footage: Path,
               tmp_path: Path) -> Iterator[StartRtsp]:
    """Start RTSP servers for the footage (or other clips) on 127.0.0.1, stopped by PID after
    the test."""
    started: list[ManagedProcess] = []

    def start(port: int | None = None, user: str | None = None, password: str | None = None,
              footage: Path = h264_footage, mounts: dict[str, Path] | None = None) -> RtspCamera:
        port = port or free_port()
        args = [str(SYSTEM_PYTHON), str(SERVER_SCRIPT), str(footage), "--port", str(port)]
        if user is not None:
            args += ["--user", user, "--password", str(password)]
        for path, file in (mounts or {}).items():
            args += ["--mount", f"{path}={file}"]
        log_path = tmp_path / f"rtsp-{port}.log"
        process = ManagedProcess("rtsp server", args, log_path=log_path).start()
        started.append(process)
        wait_until_sync(lambda: "READY rtsp://" in log_path.read_text()
                        or not process.running(), 15)
        if "READY rtsp://" not in log_path.read_text():
            pytest.fail(f"RTSP server did not start: {log_path.read_text()}")
        return RtspCamera(port, process)

    yield start
    for process in started:
        process.stop()


def _shown(stack: Stack, token: str, camera: int, streams: list[str] | None = None) -> bool:
    """The camera is online with its picture size known (the size comes from the first
    decoded keyframe, a moment after the first frame on a busy machine) and, if given, lists
    ``streams``."""
    status = stack.camera_status(token, camera)
    return bool(status["online"]) and status["width"] is not None and (
        streams is None or status["streams"] == streams)


def _nal_types(data: bytes) -> list[int]:
    """NAL unit types of an Annex-B access unit."""
    return [data[i + 3] & 0x1F for i in range(len(data) - 3) if data[i:i + 3] == b"\x00\x00\x01"]


def test_rtsp_source_passes_h264_through(start_rtsp: StartRtsp) -> None:
    camera = start_rtsp()
    source = open_source(CameraConfig(id=1, source=camera.url()))
    received: list[tuple[float, av.Packet]] = []
    items = source.items()
    try:
        for item in items:
            received.append((time.monotonic(), item))
            if len(received) == 80:
                break
    finally:
        items.close()
        source.close()

    assert source.passthrough, "H.264 without B-frames must be sent as it is"
    packets = [packet for _, packet in received]
    assert all(isinstance(packet, av.Packet) for packet in packets), "RTSP H.264 was decoded"
    assert all(bytes(packet).startswith(START_CODES) for packet in packets), "not Annex-B"
    assert all(packet.time_base == Fraction(1, 90000) for packet in packets)
    pts = [packet.pts for packet in packets]
    steps = {later - earlier for earlier, later in itertools.pairwise(pts)}
    assert steps == {90000 // FOOTAGE_FPS}, f"pts must advance one frame at a time: {steps}"

    keyframes = [packet for packet in packets if packet.is_keyframe]
    assert len(keyframes) >= 7, "the footage has a keyframe every second"
    # the payloader repeats SPS/PPS before each IDR, so a viewer can join at any keyframe
    assert {NAL_SPS, NAL_PPS, NAL_IDR} <= set(_nal_types(bytes(keyframes[0])))
    decoder = av.CodecContext.create("h264", "r")
    frames = [frame for packet in packets[packets.index(keyframes[0]):]
              for frame in decoder.decode(packet)]
    assert frames and {(f.width, f.height) for f in frames} == {FOOTAGE_SIZE}

    # opening probes ~3 s of stream; after that packets arrive as the camera sends them
    (wall_a, first), (wall_b, last) = received[40], received[-1]
    media_s = (last.pts - first.pts) / 90000
    assert 0.8 < (wall_b - wall_a) / media_s < 1.25, (
        f"{media_s:.1f} s of video took {wall_b - wall_a:.1f} s to arrive"
    )


async def test_rtsp_camera_end_to_end(stack: Stack, start_rtsp: StartRtsp) -> None:
    rtsp = start_rtsp()
    camera = stack.site_a.camera_ids[0]
    stack.start_agent({camera: rtsp.url()})
    token = stack.login("admin")
    assert await wait_until(lambda: _shown(stack, token, camera), 60), (
        (stack.data_dir / "agent.log").read_text()
    )
    status = stack.camera_status(token, camera)
    assert (status["width"], status["height"]) == FOOTAGE_SIZE

    viewer = WhepViewer(stack.url, camera, token)
    await viewer.start()
    try:
        assert await wait_until(lambda: viewer.stats.frames >= 20, 15), (
            f"only {viewer.stats.frames} frames in 15 s")
        stats = viewer.stats
        assert (stats.width, stats.height) == FOOTAGE_SIZE
        fps = stack.camera_status(token, camera)["fps"]
        assert 0.6 * FOOTAGE_FPS <= fps <= 1.4 * FOOTAGE_FPS, f"server receives {fps} fps"
    finally:
        await viewer.stop()
    log = (stack.data_dir / "agent.log").read_text()
    assert "h264 768x576, sent as is" in log, "the agent transcoded the RTSP camera"


async def test_rtsp_credentials_stay_out_of_the_log(stack: Stack, start_rtsp: StartRtsp) -> None:
    rtsp = start_rtsp(user="proctor", password=PASSWORD)
    right, wrong = stack.site_a.camera_ids
    wrong_password = PASSWORD[::-1]
    stack.start_agent({right: rtsp.url(f"proctor:{PASSWORD}"),
                       wrong: rtsp.url(f"proctor:{wrong_password}")})
    token = stack.login("admin")
    log_path = stack.data_dir / "agent.log"
    # the server demands the password, so being online proves the agent sent it
    assert await wait_until(lambda: stack.camera_status(token, right)["online"], 15), (
        log_path.read_text()
    )
    assert await wait_until(lambda: f"cannot open camera {wrong}" in log_path.read_text(), 5)
    assert not stack.camera_status(token, wrong)["online"]
    log = log_path.read_text()
    assert "rtsp://proctor:***@127.0.0.1" in log
    assert PASSWORD not in log and wrong_password not in log


async def test_rtsp_credentials_hidden_when_camera_unreachable(stack: Stack) -> None:
    closed_port = free_port()
    camera = stack.site_a.camera_ids[0]
    stack.start_agent({camera: f"rtsp://proctor:{PASSWORD}@127.0.0.1:{closed_port}/cam"})
    log_path = stack.data_dir / "agent.log"
    assert await wait_until(lambda: log_path.read_text().count("cannot open camera") >= 2, 10)
    log = log_path.read_text()
    assert f"rtsp://proctor:***@127.0.0.1:{closed_port}/cam" in log
    assert PASSWORD not in log


async def test_agent_waits_for_a_camera_that_starts_late(
    stack: Stack, start_rtsp: StartRtsp
) -> None:
    port = free_port()
    camera = stack.site_a.camera_ids[0]
    agent = stack.start_agent({camera: f"rtsp://127.0.0.1:{port}/cam"})
    token = stack.login("admin")
    log_path = stack.data_dir / "agent.log"
    assert await wait_until(lambda: "camera source failed, retrying" in log_path.read_text(), 15)
    assert agent.running() and not stack.camera_status(token, camera)["online"]

    start_rtsp(port=port)
    assert await wait_until(lambda: _shown(stack, token, camera), 60), log_path.read_text()
    assert stack.camera_status(token, camera)["width"] == FOOTAGE_SIZE[0]


def test_rtsp_source_starts_with_the_cameras_first_keyframe(start_rtsp: StartRtsp) -> None:
    camera = start_rtsp()
    source = open_source(CameraConfig(id=1, source=camera.url()))
    items = source.items()
    try:
        first = next(items)
    finally:
        items.close()
        source.close()
    # a fresh shared media starts at the file's first IDR: dropping it delays the first
    # picture by a whole GOP and, after a camera reconnect, sends P-frames without a reference
    assert first.is_keyframe


@pytest.mark.parametrize("loop", [True, False])  # 'loop' is for files; cameras always retry
async def test_pipeline_recovers_when_the_rtsp_camera_restarts(
    start_rtsp: StartRtsp, loop: bool
) -> None:
    rtsp = start_rtsp()
    pipeline = CameraPipeline(CameraConfig(id=1, source=rtsp.url(), loop=loop),
                              asyncio.get_running_loop())
    track = PacketTrack(max_queue=1000)
    pipeline.attach(track)
    pipeline.start()
    try:
        assert await wait_until(lambda: pipeline.packets_sent >= 10, 15)
        rtsp.process.stop()  # the camera reboots
        assert await wait_until(lambda: pipeline.source_errors >= 1, 15), (
            "the pipeline did not notice that the camera went away")
        before = pipeline.packets_sent
        start_rtsp(port=rtsp.port)
        assert await wait_until(lambda: pipeline.packets_sent >= before + 10, 20), (
            "the pipeline did not read the camera again after it came back"
        )
    finally:
        pipeline.stop()
        track.stop()


MAIN_SIZE, SUB_SIZE = (1280, 720), (640, 360)
CLIP_FRAMES = 400  # 40 s at the footage's 10 fps: longer than the test


@pytest.fixture(scope="session")
def main_and_sub_clips(raw_footage: Path, tmp_path_factory: pytest.TempPathFactory
                       ) -> tuple[Path, Path]:
    """The footage as a camera's main (720p) and sub (360p) H.264 streams, 1 s GOP, no
    B-frames, as an NVR-style camera serves them on channels 101 and 102."""
    folder = tmp_path_factory.mktemp("streams")
    clips = (folder / "main-720p.mp4", folder / "sub-360p.mp4")
    with av.open(str(raw_footage)) as source, av.open(str(clips[0]), "w") as main, \
            av.open(str(clips[1]), "w") as sub:
        outputs = []
        for out, (width, height) in ((main, MAIN_SIZE), (sub, SUB_SIZE)):
            stream = out.add_stream("libx264", rate=FOOTAGE_FPS)
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            stream.codec_context.profile = "Baseline"
            stream.codec_context.options = {"preset": "ultrafast", "bf": "0",
                                            "g": str(FOOTAGE_FPS)}
            outputs.append((out, stream))
        for frame in itertools.islice(source.decode(video=0), CLIP_FRAMES):
            for out, stream in outputs:
                scaled = frame.reformat(width=stream.width, height=stream.height,
                                        format="yuv420p")
                scaled.pts = None
                out.mux(stream.encode(scaled))
        for out, stream in outputs:
            out.mux(stream.encode(None))
    return clips


async def test_sub_stream_is_live_while_the_main_stream_is_recorded(
    stack: Stack, start_rtsp: StartRtsp, main_and_sub_clips: tuple[Path, Path]
) -> None:
    main_clip, sub_clip = main_and_sub_clips
    rtsp = start_rtsp(footage=main_clip, mounts={"/sub": sub_clip})  # channels 101 and 102
    camera = stack.site_a.camera_ids[0]
    stack.start_agent({camera: rtsp.url()}, recording={"segment_seconds": 2.0},
                      camera_options={camera: {"sub_source": rtsp.url(path="/sub")}})
    token = stack.login("admin")
    log_path = stack.data_dir / "agent.log"
    assert await wait_until(lambda: _shown(stack, token, camera), 60), log_path.read_text()
    status = stack.camera_status(token, camera)
    assert (status["width"], status["height"]) == SUB_SIZE, "the server must receive the sub stream"

    # the main stream's segments reach the server's store (real SeaweedFS) at full size
    assert await wait_until(lambda: len(segments(stack, camera)) >= 2, 30), log_path.read_text()
    stored = segments(stack, camera)[0]
    data = store_of(stack).read(stored.object_key, stored.version_id)
    with av.open(io.BytesIO(data)) as recorded:
        frame = next(recorded.decode(video=0))
    assert (frame.width, frame.height) == MAIN_SIZE, "the recording must be the main stream"
    status = stack.camera_status(token, camera)
    assert (status["width"], status["height"]) == SUB_SIZE  # still the sub stream live
    log = log_path.read_text()
    assert "h264 1280x720, sent as is" in log and "h264 640x360, sent as is" in log, (
        "both streams are passed through, neither transcoded")
    assert status["streams"] == ["sub"]
    refused = await _post_whep(stack, token, camera, "main")
    assert refused.status_code == 404, refused.text
    assert "does not publish a main stream (it publishes: sub)" in refused.text


async def _post_whep(stack: Stack, token: str, camera: int, stream: str) -> httpx.Response:
    """A WHEP offer from a real aiortc viewer for ``stream`` (the server's answer)."""
    async with httpx.AsyncClient(timeout=15) as http:
        return await http.post(f"{stack.url}/whep/{camera}", params={"stream": stream},
                               content=await sdp_offer("recvonly", codecs_h264_only=True),
                               headers={"Content-Type": "application/sdp",
                                        "Authorization": f"Bearer {token}"})


async def _watch_size(stack: Stack, token: str, camera: int,
                      stream: str | None) -> tuple[int, int]:
    """The picture size a WHEP viewer of ``stream`` gets, once 10 frames arrived."""
    viewer = WhepViewer(stack.url, camera, token, stream=stream)
    await viewer.start()
    try:
        assert await wait_until(lambda: viewer.stats.frames >= 10, 20), (
            f"{stream}: {viewer.stats.frames} frames")
        return viewer.stats.width, viewer.stats.height
    finally:
        await viewer.stop()


async def test_a_viewer_picks_sub_or_main_while_the_main_stream_is_recorded(
    stack: Stack, start_rtsp: StartRtsp, main_and_sub_clips: tuple[Path, Path]
) -> None:
    main_clip, sub_clip = main_and_sub_clips
    rtsp = start_rtsp(footage=main_clip, mounts={"/sub": sub_clip})
    camera = stack.site_a.camera_ids[0]
    stack.start_agent({camera: rtsp.url()}, recording={"segment_seconds": 2.0},
                      camera_options={camera: {"sub_source": rtsp.url(path="/sub"),
                                               "live": "both"}})
    token = stack.login("sup_a")
    log_path = stack.data_dir / "agent.log"
    # sub first: analysed and shown by default
    assert await wait_until(lambda: _shown(stack, token, camera, ["sub", "main"]), 60), (
        log_path.read_text())
    status = stack.camera_status(token, camera)
    assert (status["width"], status["height"]) == SUB_SIZE

    assert await _watch_size(stack, token, camera, "sub") == SUB_SIZE
    assert await _watch_size(stack, token, camera, "main") == MAIN_SIZE
    assert await _watch_size(stack, token, camera, None) == SUB_SIZE  # the default

    admin = stack.login("admin")
    metrics = httpx.get(f"{stack.url}/metrics", headers={"Authorization": f"Bearer {admin}"},
                        timeout=60).text
    assert "\nproctor_playback_encoders 0.0\n" in metrics, "both streams are forwarded"
    unknown = await _post_whep(stack, token, camera, "hd")
    assert unknown.status_code == 422 and "main" in unknown.text and "sub" in unknown.text

    # meanwhile the agent records the main stream only (real SeaweedFS)
    assert await wait_until(lambda: len(segments(stack, camera)) >= 2, 30), log_path.read_text()
    stored = segments(stack, camera)[0]
    with av.open(io.BytesIO(store_of(stack).read(stored.object_key,
                                                 stored.version_id))) as recorded:
        frame = next(recorded.decode(video=0))
    assert (frame.width, frame.height) == MAIN_SIZE
