"""Which of a camera's streams go live: the agent's own pipelines and publisher (real aiortc,
real encoder) publish to an answering aiortc peer in this process, so the tracks the offer
carries and the picture on each are seen as a server would see them. A sub stream alone goes
live by default; ``live = "both"`` sends sub and main as two tracks of one session. The main
stream is recorded in every mode."""

from __future__ import annotations

import asyncio
import contextlib
from typing import cast

import pytest
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription
from support.wait import wait_until

from edge_agent.agent import camera_streams
from edge_agent.config import AgentConfig, CameraConfig
from edge_agent.publisher import CameraPublisher, PublisherState
from edge_agent.recorder import SegmentRecorder
from edge_agent.whip_client import WhipClient, WhipSession
from proctor.rtc.ice import build_rtc_configuration

MAIN = "testsrc://stamp?width=800&height=128&fps=15"
SUB = "testsrc://stamp?width=768&height=64&fps=15"
MAIN_SIZE, SUB_SIZE = (800, 128), (768, 64)
TOKEN = "pdt_1_" + "a" * 43


class LoopbackWhip:
    """Answers WHIP offers with a real aiortc peer in this process and keeps its tracks."""

    def __init__(self) -> None:
        self.peers: list[RTCPeerConnection] = []
        self.tracks: list[MediaStreamTrack] = []

    async def publish(self, camera_id: int, offer_sdp: str) -> WhipSession:
        pc = RTCPeerConnection(build_rtc_configuration([]))
        pc.on("track", self.tracks.append)
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        self.peers.append(pc)
        return WhipSession(pc.localDescription.sdp, f"loopback://{camera_id}")

    async def end(self, session: WhipSession) -> None:
        pass

    async def close(self) -> None:
        for pc in self.peers:
            await pc.close()


class Recorded:
    """Counts what the segment recorder is given."""

    def __init__(self) -> None:
        self.packets = 0

    def feed(self, packet: object) -> None:
        self.packets += 1

    def cut(self) -> None:
        pass


@pytest.mark.parametrize(("live", "sizes"), [("sub", [SUB_SIZE]),
                                             ("both", [SUB_SIZE, MAIN_SIZE])])
async def test_the_configured_streams_go_live_and_the_main_stream_is_recorded(
        live: str, sizes: list[tuple[int, int]]) -> None:
    camera = CameraConfig.model_validate({"id": 5, "source": MAIN, "sub_source": SUB,
                                          "live": live})
    config = AgentConfig(server_url="http://127.0.0.1:1", token=TOKEN, cameras=[camera])
    recorded = Recorded()
    running, on_air = camera_streams(camera, asyncio.get_running_loop(),
                                     cast(SegmentRecorder, recorded))
    server = LoopbackWhip()
    publisher = CameraPublisher(camera, on_air, cast(WhipClient, server), config)
    for pipeline in running:
        pipeline.start()
    task = asyncio.create_task(publisher.run())
    try:
        assert await wait_until(lambda: publisher.state is PublisherState.LIVE, 20)
        assert len(server.peers) == 1, "all live streams share one WHIP session"
        assert len(server.tracks) == len(sizes)
        # each track's id (a=msid) names its stream, so the server tells sub from main
        assert [track.id for track in server.tracks] == ["sub", "main"][:len(sizes)]
        frames = [await asyncio.wait_for(track.recv(), 20) for track in server.tracks]
        assert [(frame.width, frame.height) for frame in frames] == sizes
        assert await wait_until(lambda: recorded.packets >= 10, 20)
        assert running[0].camera.source == MAIN and running[0].recorder is not None
        assert all(pipeline.recorder is None for pipeline in running[1:])
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        for pipeline in running:
            pipeline.stop()
        assert all(pipeline.join(10) for pipeline in running)
        await server.close()


def test_both_needs_a_sub_stream() -> None:
    with pytest.raises(ValueError, match="live = 'both' needs a sub_source"):
        CameraConfig.model_validate({"id": 1, "source": MAIN, "live": "both"})
    with pytest.raises(ValueError, match="source scheme 'http' not supported"):
        CameraConfig.model_validate({"id": 1, "source": MAIN, "sub_source": "http://x/102"})
