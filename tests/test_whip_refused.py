"""A WHIP offer that is refused leaves the camera's live publisher connected: the offer is
checked completely (parse, codecs, media sections) before the running session is touched."""

from __future__ import annotations

import re

import httpx
import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription
from support.stack import Stack
from support.wait import wait_until

from proctor.rtc.h264 import prefer_h264
from proctor.rtc.ice import build_rtc_configuration
from proctor.rtc.tracks import PacketTrack

SDP = {"Content-Type": "application/sdp"}


def _unknown_codecs(offer: str) -> str:
    """The offer with every video codec renamed to one nobody supports."""
    return re.sub(r"a=rtpmap:(\d+) \w+/90000", r"a=rtpmap:\1 NOPE/90000", offer)


def _duplicated_media(offer: str) -> str:
    """The offer with its video section (same mid) twice."""
    head, media = offer.split("m=video", 1)
    return f"{head}m=video{media}m=video{media}"


async def _connected_publisher(stack: Stack, camera_id: int,
                               headers: dict[str, str]) -> tuple[RTCPeerConnection, str, str]:
    """A real aiortc publisher, connected; its peer, session location and offer."""
    pc = RTCPeerConnection(build_rtc_configuration([]))
    prefer_h264(pc.addTransceiver(PacketTrack(), direction="sendonly"))
    await pc.setLocalDescription(await pc.createOffer())
    offer = pc.localDescription.sdp
    async with httpx.AsyncClient(timeout=15) as http:
        response = await http.post(f"{stack.url}/whip/{camera_id}", content=offer,
                                   headers={**SDP, **headers})
    assert response.status_code == 201, response.text
    await pc.setRemoteDescription(RTCSessionDescription(response.text, "answer"))
    assert await wait_until(lambda: pc.connectionState == "connected", timeout=30)
    return pc, response.headers["location"], offer


@pytest.mark.parametrize("spoil", [_unknown_codecs, _duplicated_media])
async def test_a_refused_second_offer_keeps_the_first_publisher(shared_stack: Stack,
                                                                spoil: object) -> None:
    assert callable(spoil)
    camera_id = shared_stack.site_a.camera_ids[0]
    headers = {"Authorization": f"Bearer {shared_stack.site_a.device_token}"}
    pc, location, offer = await _connected_publisher(shared_stack, camera_id, headers)
    try:
        async with httpx.AsyncClient(base_url=shared_stack.url, timeout=15) as http:
            refused = await http.post(f"/whip/{camera_id}", content=spoil(offer),
                                      headers={**SDP, **headers})
            assert 400 <= refused.status_code < 500, refused.text
            assert refused.json()["detail"]
            assert pc.connectionState == "connected"
            # the first session is still the camera's: ending it works (404 once replaced)
            assert (await http.delete(location, headers=headers)).status_code == 200
    finally:
        await pc.close()
