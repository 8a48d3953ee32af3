"""ICE safety: no public STUN by default, pinnable host candidates, no mDNS look-ups."""

from __future__ import annotations

import aioice.ice
from aiortc import RTCPeerConnection

from proctor.rtc.ice import (
    IceServer,
    build_rtc_configuration,
    host_addresses_pinned,
    pin_host_addresses,
    strip_mdns_candidates,
)


def test_configuration_is_explicit_and_empty_by_default() -> None:
    config = build_rtc_configuration([])
    assert config.iceServers == []  # aiortc would use a public STUN server for None


def test_configured_turn_server_is_passed_through() -> None:
    server = IceServer(urls=["turn:turn.example.org:3478"], username="u", credential="p")
    config = build_rtc_configuration([server], "relay")
    assert config.iceServers[0].urls == ["turn:turn.example.org:3478"]
    assert config.iceTransportPolicy.value == "relay"


async def test_pinned_offer_has_only_loopback_candidates() -> None:
    assert host_addresses_pinned()  # the test session pins 127.0.0.1
    pc = RTCPeerConnection(build_rtc_configuration([]))
    pc.addTransceiver("video", direction="recvonly")
    await pc.setLocalDescription(await pc.createOffer())
    candidates = [line for line in pc.localDescription.sdp.splitlines()
                  if line.startswith("a=candidate")]
    await pc.close()
    assert candidates
    assert all(" 127.0.0.1 " in line and "typ host" in line for line in candidates)


def test_unpinning_restores_aioice_default() -> None:
    pin_host_addresses([])
    try:
        assert not host_addresses_pinned()
        assert "127.0.0.1" not in aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=False)
    finally:
        pin_host_addresses(["127.0.0.1"])


def test_mdns_candidates_are_stripped() -> None:
    sdp = (
        "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
        "a=candidate:1 1 udp 2122260223 4f2a3c9e-1b2c.local 54321 typ host\r\n"
        "a=candidate:2 1 udp 2122260223 127.0.0.1 54322 typ host\r\n"
    )
    stripped = strip_mdns_candidates(sdp)
    assert ".local" not in stripped
    assert "127.0.0.1 54322" in stripped
    assert stripped.endswith("typ host\r\n")
