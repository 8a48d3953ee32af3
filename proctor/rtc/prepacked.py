"""Forwarded H.264 sent to each viewer by one tight loop, packetized once per access unit.

aiortc's sender turns every access unit it is handed into RTP packets itself, once per
viewer: it cuts the NAL units and FU-A fragments, builds an ``RtpPacket`` object per packet
with its header extensions, serializes it and awaits the transport for each. A forwarded
viewer's track carries :class:`ForwardedFrame` items instead: the camera's access unit,
whose payloads are cut once (:attr:`proctor.rtc.encoded.EncodedFrame.payloads`) and shared,
and the viewer's own timestamp. :func:`send_prepacked` replaces the sender's RTP loop with
:class:`_ForwardLoop`, which writes each shared payload behind a 12-byte header of the
viewer's own (payload type, sequence number, timestamp, SSRC) and the header extensions
serialized once, then SRTP-protects it through the DTLS transport aiortc
set up. Packets carry no abs-send-time: that only feeds a viewer's bandwidth estimate, whose
REMB reports the server would parse by the hundred and could not act on (a camera's bitrate
is the same for all its forwarded viewers). Everything else stays aiortc's: the RTCP loop
sends sender reports from the counts this loop keeps, and NACKs are answered (over RTX when
negotiated) from this loop's history.

The loop also measures the server's share of the latency: from the moment the access unit
left the publisher's jitter buffer to the moment the viewer's sender took it.

This relies on aiortc internals (the sender's ``_run_rtp`` and ``_retransmit``, its
name-mangled RTP state, and the DTLS transport's ``_send_rtp``), checked here and pinned by
tests/test_rtc_encoded_tap.py.
"""

from __future__ import annotations

import asyncio
import logging
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from aiortc import RTCRtpSender, clock
from aiortc.mediastreams import MediaStreamError
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtp import RTP_HISTORY_SIZE, RtpPacket
from aiortc.utils import random16, random32, uint16_add, uint32_add

from proctor.rtc.encoded import EncodedFrame, UnsupportedAiortc

logger = logging.getLogger(__name__)

_HEADER = struct.Struct("!BBHLL")  # V/P/X/CC, M/PT, sequence number, timestamp, SSRC
_MANGLED = "_RTCRtpSender__"
_SENDER_STATE = ("rtp_started", "rtp_exited", "track", "mid", "rtp_header_extensions_map",
                 "rtx_payload_type", "rtx_sequence_number", "ntp_timestamp", "rtp_timestamp",
                 "octet_count", "packet_count")


@dataclass(frozen=True)
class ForwardedFrame:
    """A camera's access unit on its way to one viewer, under that viewer's timestamp."""

    frame: EncodedFrame
    timestamp: int  # 90 kHz, on the viewer's clock
    live: bool = True  # False: replayed from the cached GOP to a joining viewer


class _Sent(NamedTuple):
    """What a retransmission of one sent packet needs."""

    sequence_number: int
    timestamp: int
    marker: int
    payload: bytes


class _ForwardLoop:
    """A sender's RTP loop and retransmitter for :class:`ForwardedFrame` items."""

    def __init__(self, sender: RTCRtpSender,
                 on_sent: Callable[[float], None] | None) -> None:
        self._sender = sender
        self._on_sent = on_sent
        self._history: dict[int, _Sent] = {}
        self._first_byte = 0x80  # V=2, and X=1 once there are header extensions
        self._extensions = b""  # the header after its first 12 bytes, once running
        self._payload_type = 0  # the negotiated codec's, once running

    def _get(self, name: str) -> Any:
        return getattr(self._sender, _MANGLED + name)

    def _set(self, name: str, value: object) -> None:
        setattr(self._sender, _MANGLED + name, value)

    async def run(self, codec: RTCRtpCodecParameters) -> None:
        """Send every frame of the sender's track until it ends (stands in for
        ``RTCRtpSender._run_rtp``, whose started and exited events it sets likewise)."""
        self._get("rtp_started").set()
        assert codec.payloadType is not None  # a negotiated codec has one
        self._payload_type = codec.payloadType
        self._first_byte, self._extensions = self._header_extensions()
        track = self._get("track")
        sequence_number, origin = random16(), random32()
        try:
            while True:
                item = await track.recv()
                if not isinstance(item, ForwardedFrame):
                    raise TypeError(f"a forwarding sender got a {type(item).__name__}")
                if self._sender._enabled:
                    sequence_number = await self._send(
                        item, sequence_number, uint32_add(origin, item.timestamp))
        except (asyncio.CancelledError, ConnectionError, MediaStreamError):
            pass
        except Exception:  # the exited event must be set, or sender.stop() hangs
            logger.exception("forwarding to a viewer failed")
        track.stop()
        self._get("rtp_exited").set()

    async def _send(self, item: ForwardedFrame, sequence_number: int, timestamp: int) -> int:
        """Send one access unit's packets; the next sequence number."""
        if item.live and self._on_sent is not None:
            self._on_sent(time.monotonic() - item.frame.received_at)
        send_rtp = self._sender.transport._send_rtp
        ssrc, payload_type = self._sender._ssrc, self._payload_type
        payloads = item.frame.payloads
        last = len(payloads) - 1
        for index, payload in enumerate(payloads):
            marker = int(index == last)
            self._history[sequence_number % RTP_HISTORY_SIZE] = _Sent(
                sequence_number, timestamp, marker, payload)
            await send_rtp(_HEADER.pack(self._first_byte, marker << 7 | payload_type,
                                        sequence_number, timestamp, ssrc)
                           + self._extensions + payload)
            sequence_number = uint16_add(sequence_number, 1)
        self._set("ntp_timestamp", clock.current_ntp_time())
        self._set("rtp_timestamp", timestamp)
        self._set("octet_count", self._get("octet_count") + sum(map(len, payloads)))
        self._set("packet_count", self._get("packet_count") + len(payloads))
        return sequence_number

    def _header_extensions(self) -> tuple[int, bytes]:
        """The first byte of every packet's header (its extension flag) and the header
        extensions after the first 12 bytes, as aiortc writes them: the MID only."""
        probe = RtpPacket()
        probe.extensions.mid = self._get("mid")
        header = probe.serialize(self._get("rtp_header_extensions_map"))
        return header[0], header[_HEADER.size:]

    async def retransmit(self, sequence_number: int) -> None:
        """Resend a packet a viewer reported lost, over RTX when negotiated (stands in for
        ``RTCRtpSender._retransmit``)."""
        sent = self._history.get(sequence_number % RTP_HISTORY_SIZE)
        if sent is None or sent.sequence_number != sequence_number:
            return
        payload_type, ssrc, payload = self._payload_type, self._sender._ssrc, sent.payload
        if self._get("rtx_payload_type") is not None:  # RFC 4588: the original number first
            payload_type, ssrc = self._get("rtx_payload_type"), self._sender._rtx_ssrc
            payload = struct.pack("!H", sequence_number) + payload
            sequence_number = self._get("rtx_sequence_number")
            self._set("rtx_sequence_number", uint16_add(sequence_number, 1))
        await self._sender.transport._send_rtp(
            _HEADER.pack(self._first_byte, sent.marker << 7 | payload_type, sequence_number,
                         sent.timestamp, ssrc) + self._extensions + payload)


def send_prepacked(sender: RTCRtpSender,
                   on_sent: Callable[[float], None] | None = None) -> None:
    """Make ``sender`` send :class:`ForwardedFrame` items from its track (before it starts);
    ``on_sent`` is called with each live frame's time on the server, in seconds."""
    missing = [name for name in _SENDER_STATE if not hasattr(sender, _MANGLED + name)]
    if missing or not hasattr(sender, "_run_rtp") or not hasattr(sender, "_retransmit"):
        raise UnsupportedAiortc("aiortc's sender no longer has the RTP state that "
                                f"proctor/rtc/prepacked.py uses (missing: {missing})")
    if getattr(sender, _MANGLED + "rtp_started").is_set():
        raise RuntimeError("give the sender its forwarding loop before it starts")
    loop = _ForwardLoop(sender, on_sent)
    sender._run_rtp = loop.run  # type: ignore[method-assign]
    sender._retransmit = loop.retransmit  # type: ignore[method-assign]
