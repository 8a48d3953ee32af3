"""What the media service receives from a WHIP offer with more than one video track (an
agent with ``live = "both"``): a real aiortc publisher offers video tracks and an audio one to
the service in this process (loopback ICE, no server). Each stream's track (named by its track
id, ``sub`` or ``main``) feeds its own feed, the sub stream the camera's live feed; a track
with another id is the main stream; a second track for a stream, and audio, are declined in
the answer, so nothing is queued unread."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack
from support.tracks import QueueTrack

from proctor.errors import Conflict, NotFound
from proctor.media.service import MediaService
from proctor.media.settings import MediaSettings
from proctor.rtc.ice import build_rtc_configuration
from proctor.rtc.tracks import PacketTrack

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


async def _publish(media: MediaService, *tracks: MediaStreamTrack | str
                   ) -> tuple[list[MediaStreamTrack], str]:
    """Offer ``tracks`` (a kind string: an empty track of that kind) from a real aiortc
    publisher; the tracks the service received, in the offer's order, and its answer."""
    publisher = RTCPeerConnection(build_rtc_configuration([]))
    try:
        for track in tracks:
            publisher.addTransceiver(track, direction="sendonly")
        await publisher.setLocalDescription(await publisher.createOffer())
        session, answer = await media.publish(CAMERA, "device:1", "credential",
                                              publisher.localDescription.sdp.encode())
        await publisher.setRemoteDescription(RTCSessionDescription(answer, "answer"))
        return [t.receiver.track for t in session.pc.getTransceivers()], answer
    finally:
        await publisher.close()


async def test_sub_and_main_each_feed_their_own_stream(media: MediaService) -> None:
    received, answer = await _publish(media, PacketTrack(track_id="sub"),
                                      PacketTrack(track_id="main"), "audio")
    assert _directions(answer) == [("video", "recvonly"), ("video", "recvonly"),
                                   ("audio", "inactive")]
    feeds = media.feeds
    assert feeds.streams(CAMERA) == ("sub", "main")
    assert feeds.get(CAMERA)._track is received[0]  # analysis and the default view: sub
    assert feeds.stream(CAMERA, "sub") is feeds.get(CAMERA)
    assert feeds.stream(CAMERA, "main")._track is received[1]
    assert not feeds.stream(CAMERA, "main").decode_keyframes  # nobody samples it


async def test_main_sent_first_is_still_not_the_live_feed(media: MediaService) -> None:
    received, _ = await _publish(media, PacketTrack(track_id="main"),
                                 PacketTrack(track_id="sub"))
    assert media.feeds.streams(CAMERA) == ("sub", "main")
    assert media.feeds.get(CAMERA)._track is received[1]


async def test_an_unnamed_track_is_the_main_stream_and_a_second_one_is_declined(
        media: MediaService) -> None:
    received, answer = await _publish(media, QueueTrack(), QueueTrack(), "audio")
    assert _directions(answer) == [("video", "recvonly"), ("video", "inactive"),
                                   ("audio", "inactive")]
    assert media.feeds.streams(CAMERA) == ("main",)
    assert media.feeds.get(CAMERA)._track is received[0]  # the first, not the last
    with pytest.raises(NotFound, match="does not publish a sub stream.*publishes: main"):
        media.feeds.stream(CAMERA, "sub")


async def test_streams_are_unknown_until_the_camera_publishes(media: MediaService) -> None:
    assert media.feeds.stream(CAMERA, None) is media.feeds.get(CAMERA)
    with pytest.raises(Conflict, match="has not published yet"):
        media.feeds.stream(CAMERA, "main")
