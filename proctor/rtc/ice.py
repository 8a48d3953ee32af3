"""ICE configuration: which STUN/TURN servers to use and which host addresses to offer.

aiortc's defaults are unsafe for this product: with no configuration it contacts a public
STUN server, and aioice offers candidates on every interface except loopback. Every
peer connection in the product is built through :func:`build_rtc_configuration`, and the
host candidate addresses can be pinned process-wide with :func:`pin_host_addresses`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import aioice.ice
from aiortc import RTCConfiguration, RTCIceServer
from pydantic import BaseModel, Field

logger = logging.getLogger(__name__)

_original_get_host_addresses = aioice.ice.get_host_addresses
_MDNS_CANDIDATE = re.compile(r"^a=candidate:\S+ \d+ \S+ \d+ \S+\.local \d+ ")


class IceServer(BaseModel):
    """One STUN or TURN server, in the shape of the W3C ``RTCIceServer`` dictionary."""

    urls: list[str] = Field(description="stun:/turn:/turns: URLs of this server")
    username: str | None = Field(default=None, description="TURN long-term username")
    credential: str | None = Field(default=None, description="TURN long-term password")

    def to_aiortc(self) -> RTCIceServer:
        """Convert to aiortc's dataclass."""
        return RTCIceServer(urls=self.urls, username=self.username, credential=self.credential)


def build_rtc_configuration(
    ice_servers: Sequence[IceServer], transport_policy: str = "all"
) -> RTCConfiguration:
    """Return an explicit RTCConfiguration (never ``None``, which means public STUN in aiortc)."""
    from aiortc.rtcconfiguration import RTCIceTransportPolicy

    relay = transport_policy == "relay"
    policy = RTCIceTransportPolicy.RELAY if relay else RTCIceTransportPolicy.ALL
    return RTCConfiguration(
        iceServers=[server.to_aiortc() for server in ice_servers],
        iceTransportPolicy=policy,
    )


def pin_host_addresses(addresses: Sequence[str]) -> None:
    """Offer host candidates only on ``addresses`` (e.g. ``["127.0.0.1"]``); empty restores default.

    aioice looks up host addresses through a module-level function, so this applies to every
    peer connection in the process. Loopback is allowed here, unlike aioice's default.
    """
    pinned = list(addresses)

    def pinned_host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        return [a for a in pinned if (":" in a and use_ipv6) or (":" not in a and use_ipv4)]

    if pinned:
        aioice.ice.get_host_addresses = pinned_host_addresses
        logger.info("ICE host candidates pinned to %s", ", ".join(pinned))
    else:
        aioice.ice.get_host_addresses = _original_get_host_addresses


def host_addresses_pinned() -> bool:
    """Whether :func:`pin_host_addresses` is in force."""
    return aioice.ice.get_host_addresses is not _original_get_host_addresses


def strip_mdns_candidates(sdp: str) -> str:
    """Remove ``*.local`` (mDNS) candidates, which would make aioice send multicast queries.

    Used when host addresses are pinned: a pinned deployment can only reach the pinned
    addresses, so resolving a browser's obfuscated LAN address is both useless and a leak.
    """
    lines = sdp.splitlines(keepends=True)
    return "".join(line for line in lines if not _MDNS_CANDIDATE.match(line))
