"""Forwarded H.264 packetized once per access unit, whatever the number of viewers.

aiortc's sender splits every access unit it is handed into RTP payloads (NAL units,
FU-A fragments) itself, once per viewer. A forwarded viewer's track carries
:class:`ForwardedFrame` items instead: the camera's access unit, whose payloads are cut once
(:attr:`proctor.rtc.encoded.EncodedFrame.payloads`) and shared, and the viewer's own
timestamp. :func:`send_prepacked` gives a sender the stand-in packer that takes them; each
viewer's sender still numbers, encrypts (SRTP) and sends its packets.

The packer also measures the server's share of the latency: from the moment the access unit
left the publisher's jitter buffer to the moment the viewer's sender took it.

This relies on an aiortc internal (the sender's name-mangled ``__encoder``, created on the
first frame when unset, given ``pack(item)`` for anything that is not a decoded frame),
pinned by tests/test_rtc_encoded_tap.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from aiortc import RTCRtpSender

from proctor.rtc.encoded import EncodedFrame, UnsupportedAiortc


@dataclass(frozen=True)
class ForwardedFrame:
    """A camera's access unit on its way to one viewer, under that viewer's timestamp."""

    frame: EncodedFrame
    timestamp: int  # 90 kHz, on the viewer's clock
    live: bool = True  # False: replayed from the cached GOP to a joining viewer


class _SharedPayloads:
    """Stands in for a sender's encoder: hands over the payloads cut once per access unit."""

    def __init__(self, on_sent: Callable[[float], None] | None) -> None:
        self._on_sent = on_sent

    def pack(self, item: ForwardedFrame) -> tuple[list[bytes], int]:
        if item.live and self._on_sent is not None:
            self._on_sent(time.monotonic() - item.frame.received_at)
        return item.frame.payloads, item.timestamp


def send_prepacked(sender: RTCRtpSender,
                   on_sent: Callable[[float], None] | None = None) -> None:
    """Make ``sender`` send :class:`ForwardedFrame` items from its track (before it starts);
    ``on_sent`` is called with each live frame's time on the server, in seconds."""
    name = "_RTCRtpSender__encoder"
    if not hasattr(sender, name):
        raise UnsupportedAiortc("aiortc's sender no longer has the encoder that "
                                "proctor/rtc/prepacked.py replaces")
    if getattr(sender, name) is not None:
        raise RuntimeError("give the sender its packer before it sends its first frame")
    setattr(sender, name, _SharedPayloads(on_sent))
