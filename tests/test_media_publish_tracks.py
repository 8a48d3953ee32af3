"""What the media service receives from a WHIP offer with more than one video track (an
agent with ``live = "both"``): a real aiortc publisher offers two video tracks and an audio
one to the service in this process (loopback ICE, no server): only the first video track is
received and feeds the camera; the others are declined in the answer, so nothing is queued
unread."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription
from support.tracks import QueueTrack

from proctor.media.service import MediaService
from proctor.media.settings import MediaSettings
from proctor.rtc.ice import build_rtc_configuration

CAMERA = 7


@pytest.fixture
async def media() -> AsyncIterator[MediaService]:
    service = MediaService(MediaSettings(ice_servers=[]))
    yield service
    await service.close()


def _directions(sdp: str) -> list[tuple[str, str]]:
    """(kind, direction) of each media section of ``sdp``."""
    sections: list[tuple[str, str]] = []
    for line in sdp.splitlines():
        if line.startswith("m="):
            sections.append((line[2:].split()[0], ""))
        elif sections and line[2:] in ("sendrecv", "sendonly", "recvonly", "inactive"):
            sections[-1] = (sections[-1][0], line[2:])
    return sections


async def test_only_the_first_video_track_of_an_offer_goes_live(media: MediaService) -> None:
    publisher = RTCPeerConnection(build_rtc_configuration([]))
    try:
        sub, main = QueueTrack(), QueueTrack()
        publisher.addTransceiver(sub, direction="sendonly")
        publisher.addTransceiver(main, direction="sendonly")
        publisher.addTransceiver("audio", direction="sendonly")
        await publisher.setLocalDescription(await publisher.createOffer())
        session, answer = await media.publish(CAMERA, "device:1", "credential",
                                              publisher.localDescription.sdp.encode())
        assert _directions(answer) == [("video", "recvonly"), ("video", "inactive"),
                                       ("audio", "inactive")]
        await publisher.setRemoteDescription(RTCSessionDescription(answer, "answer"))
        received = [t.receiver.track for t in session.pc.getTransceivers()]
        assert media.feeds.get(CAMERA)._track is received[0]  # the first, not the last
    finally:
        await publisher.close()
