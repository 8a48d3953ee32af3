"""What the fleet bench's stub agents send, made once in the parent and handed to every stub
process: a WHIP offer without candidates, a tiny real MPEG-TS segment and the edge
observation bodies."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass

import numpy as np

from proctor.vision.detector import Detection
from proctor.vision.observation import Observation
from proctor.vision.tamper import THUMB_H, THUMB_W, FrameStats

PICTURES = 8  # normal pictures the stubs cycle through (consecutive ones differ)
_CANDIDATE = re.compile(r"^a=(candidate|end-of-candidates).*\r?\n", re.MULTILINE)
_AT = "__AT__"


def tiny_segment() -> bytes:
    """A real MPEG-TS of one 64x64 H.264 key frame (about 1.5 kB): the server probes it."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mpegts") as container:
        stream = container.add_stream("libx264", rate=15)
        stream.width = stream.height = 64
        stream.pix_fmt = "yuv420p"
        frame = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24")
        for packet in [*stream.encode(frame), *stream.encode()]:
            container.mux(packet)
    return buffer.getvalue()


def segment_body(segment: bytes, camera_id: int, start_ms: int) -> bytes:
    """``segment`` with one TS null packet (PID 0x1FFF, ignored by readers) naming the camera
    and start, so every segment's bytes and hash differ."""
    label = f"fleet camera {camera_id} segment {start_ms}".encode()
    return segment + bytes([0x47, 0x1F, 0xFF, 0x10]) + label.ljust(184, b"\xff")


async def stub_offer() -> str:
    """A real aiortc publisher offer, without its candidates: the server's peer then waits
    for none and sends nothing, and the stub needs no media."""
    from aiortc import RTCConfiguration, RTCPeerConnection

    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTransceiver("video", direction="sendonly")
    await pc.setLocalDescription(await pc.createOffer())
    sdp = pc.localDescription.sdp
    await pc.close()
    return _CANDIDATE.sub("", sdp)


def _observation_body(stats: FrameStats, detections: list[Detection]) -> str:
    observation = Observation.of(1.0, stats, detections, model="fleet-stub")
    body = json.dumps({"observations": [observation.model_dump(mode="json")]})
    return body.replace('"at": 1.0', f'"at": {_AT}', 1)


@dataclass(frozen=True)
class Pictures:
    """Observation bodies, the sample time left to fill in: :data:`PICTURES` normal pictures
    of one scene (sensor noise differs) with 2 people, and a covered lens."""

    normal: tuple[str, ...]
    covered: str

    @classmethod
    def make(cls) -> Pictures:
        """The bodies (the same every run: a fixed seed)."""
        rng = np.random.default_rng(15)
        scene = rng.uniform(40, 200, (THUMB_H, THUMB_W)).astype(np.float32)
        people = [Detection("person", 0.9, (0.1, 0.2, 0.3, 0.8)),
                  Detection("person", 0.85, (0.6, 0.2, 0.8, 0.8))]
        normal = tuple(_observation_body(FrameStats(120.0, 45.0, 0.5, scene + rng.normal(
            0, 2, scene.shape).astype(np.float32)), people) for _ in range(PICTURES))
        dark = np.full((THUMB_H, THUMB_W), 8.0, np.float32)
        return cls(normal, _observation_body(FrameStats(8.0, 1.0, 0.01, dark), []))

    def body(self, index: int, covered: bool, at: float) -> bytes:
        """The ``index``-th sample's body, taken at ``at`` (epoch seconds)."""
        template = self.covered if covered else self.normal[index % PICTURES]
        return template.replace(_AT, repr(at), 1).encode()


@dataclass(frozen=True)
class StubBodies:
    """Everything a stub sends, made once."""

    offer: bytes
    segment: bytes
    pictures: Pictures

    @classmethod
    async def make(cls) -> StubBodies:
        """Made in the parent (aiortc and libx264 once, not in every stub process)."""
        return cls((await stub_offer()).encode(), tiny_segment(), Pictures.make())
