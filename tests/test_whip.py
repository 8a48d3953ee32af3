"""WHIP ingest (RFC 9725): status codes, messages, session lifecycle, publisher replacement."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription
from support.stack import Stack, sdp_offer

from proctor.rtc.ice import build_rtc_configuration

SDP = {"Content-Type": "application/sdp"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def offer() -> str:
    return asyncio.run(sdp_offer("sendonly", codecs_h264_only=True))


def post_whip(stack: Stack, camera_id: int, body: str | bytes,
              headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{stack.url}/whip/{camera_id}", content=body, headers=headers, timeout=15)


def test_missing_token_is_401(shared_stack: Stack, offer: str) -> None:
    response = post_whip(shared_stack, 1, offer, SDP)
    assert response.status_code == 401
    assert "device token" in response.json()["detail"]
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("token", ["nonsense", "pdt_1_" + "x" * 43, "pdt_999_" + "y" * 43])
def test_wrong_token_is_401(shared_stack: Stack, offer: str, token: str) -> None:
    response = post_whip(shared_stack, 1, offer, {**SDP, **bearer(token)})
    assert response.status_code == 401
    assert "not valid" in response.json()["detail"]


def test_user_session_token_cannot_publish(shared_stack: Stack, offer: str) -> None:
    admin = shared_stack.login("admin")
    response = post_whip(shared_stack, 1, offer, {**SDP, **bearer(admin)})
    assert response.status_code == 401


def test_unknown_camera_and_another_devices_camera_answer_alike(shared_stack: Stack,
                                                                offer: str) -> None:
    """A device cannot tell another device's camera from one that does not exist."""
    token = shared_stack.site_a.device_token
    device = shared_stack.site_a.device_id
    for camera in (4242, shared_stack.site_b.camera_ids[0]):
        response = post_whip(shared_stack, camera, offer, {**SDP, **bearer(token)})
        assert response.status_code == 404
        assert response.json()["detail"] == (f"camera {camera} does not exist or is not "
                                             f"assigned to device {device} (see `proctor "
                                             "admin camera list`)")


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", None])
def test_wrong_content_type_is_415(shared_stack: Stack, offer: str,
                                   content_type: str | None) -> None:
    headers = bearer(shared_stack.site_a.device_token)
    if content_type:
        headers["Content-Type"] = content_type
    response = post_whip(shared_stack, 1, offer, headers)
    assert response.status_code == 415
    assert "application/sdp" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("hello", "must start with 'v=0'"),
        (b"\xff\xfe\x00v=0", "not UTF-8"),
        ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n", "no video section"),
        ("v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 H264/x\r\n", "malformed SDP"),
    ],
)
def test_malformed_sdp_is_400(shared_stack: Stack, body: str | bytes, message: str) -> None:
    response = post_whip(shared_stack, 1, body, {**SDP, **bearer(shared_stack.site_a.device_token)})
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_viewer_offer_cannot_publish(shared_stack: Stack) -> None:
    recv_offer = asyncio.run(sdp_offer("recvonly"))
    response = post_whip(shared_stack, 1, recv_offer,
                         {**SDP, **bearer(shared_stack.site_a.device_token)})
    assert response.status_code == 400
    assert "sendonly, sendrecv" in response.json()["detail"]


def test_oversized_offer_is_413(shared_stack: Stack, offer: str) -> None:
    huge = offer + "a=x-padding:" + "x" * 70_000 + "\r\n"
    response = post_whip(shared_stack, 1, huge, {**SDP, **bearer(shared_stack.site_a.device_token)})
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]


async def _publish(stack: Stack, camera_id: int) -> tuple[RTCPeerConnection, httpx.Response]:
    from proctor.rtc.h264 import prefer_h264
    from proctor.rtc.tracks import PacketTrack

    pc = RTCPeerConnection(build_rtc_configuration([]))
    prefer_h264(pc.addTransceiver(PacketTrack(), direction="sendonly"))
    await pc.setLocalDescription(await pc.createOffer())
    async with httpx.AsyncClient(timeout=15) as http:
        response = await http.post(f"{stack.url}/whip/{camera_id}", content=pc.localDescription.sdp,
                                   headers={**SDP, **bearer(stack.site_a.device_token)})
    return pc, response


async def test_created_session_can_be_deleted_once(shared_stack: Stack) -> None:
    pc, response = await _publish(shared_stack, 1)
    try:
        assert response.status_code == 201
        assert response.headers["content-type"] == "application/sdp"
        location = response.headers["location"]
        assert location.startswith("/whip/1/sessions/")
        assert response.text.startswith("v=0")
        await pc.setRemoteDescription(RTCSessionDescription(response.text, "answer"))
        headers = bearer(shared_stack.site_a.device_token)
        async with httpx.AsyncClient(base_url=shared_stack.url) as http:
            patch = await http.patch(location, headers=headers)
            assert patch.status_code == 405
            other = await http.delete(location, headers=bearer(shared_stack.site_b.device_token))
            assert other.status_code == 404  # device B may not touch camera 1's sessions
            assert (await http.delete(location, headers=headers)).status_code == 200
            again = await http.delete(location, headers=headers)
            assert again.status_code == 404
            assert "does not exist or has ended" in again.json()["detail"]
    finally:
        await pc.close()


async def test_second_publisher_replaces_first(shared_stack: Stack) -> None:
    first_pc, first = await _publish(shared_stack, 2)
    second_pc, second = await _publish(shared_stack, 2)
    try:
        assert first.status_code == second.status_code == 201
        headers = bearer(shared_stack.site_a.device_token)
        async with httpx.AsyncClient(base_url=shared_stack.url) as http:
            gone = await http.delete(first.headers["location"], headers=headers)
            assert gone.status_code == 404
            ended = await http.delete(second.headers["location"], headers=headers)
            assert ended.status_code == 200
    finally:
        await first_pc.close()
        await second_pc.close()


def test_chunked_oversized_offer_is_413(shared_stack: Stack, offer: str) -> None:
    """Without Content-Length the body is counted as it streams, never buffered whole."""
    def chunks():  # type: ignore[no-untyped-def]
        yield offer.encode()
        for _ in range(100):
            yield b"a=x-padding:" + b"x" * 1000 + b"\r\n"

    response = httpx.post(f"{shared_stack.url}/whip/1", content=chunks(),
                          headers={**SDP, **bearer(shared_stack.site_a.device_token)})
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert "exceeds the limit" in response.json()["detail"]
