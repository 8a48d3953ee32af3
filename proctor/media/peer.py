"""Creating answering peer connections with the product's ICE settings."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.exceptions import InvalidAccessError, OperationError

from proctor.errors import InvalidInput
from proctor.rtc.ice import (
    IceServer,
    build_rtc_configuration,
    host_addresses_pinned,
    strip_mdns_candidates,
)

ANSWER_TIMEOUT_S = 10.0


def new_peer_connection(ice_servers: Sequence[IceServer],
                        transport_policy: str) -> RTCPeerConnection:
    """A peer connection with the configured ICE servers (never aiortc's public default)."""
    return RTCPeerConnection(build_rtc_configuration(ice_servers, transport_policy))


async def apply_offer(pc: RTCPeerConnection, offer_sdp: str) -> None:
    """Set the remote offer; rejects offers aiortc cannot handle with :class:`InvalidInput`."""
    if host_addresses_pinned():
        offer_sdp = strip_mdns_candidates(offer_sdp)
    try:
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
    except (ValueError, KeyError, AssertionError, OperationError, InvalidAccessError) as error:
        raise InvalidInput(f"SDP offer not usable: {error}") from error


async def create_answer(pc: RTCPeerConnection) -> str:
    """Create the answer and gather candidates (no trickle ICE: the answer carries them all)."""
    try:
        answer = await pc.createAnswer()
        await asyncio.wait_for(pc.setLocalDescription(answer), ANSWER_TIMEOUT_S)
    except ValueError as error:
        raise InvalidInput(f"cannot answer this offer: {error}") from error
    return pc.localDescription.sdp
