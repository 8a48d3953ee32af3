"""Checks on SDP offers received over WHIP/WHEP, with errors that say what is wrong."""

from __future__ import annotations

from aiortc.sdp import SessionDescription

from proctor.errors import InvalidInput


class OfferTooLarge(InvalidInput):
    """The offer exceeds the configured size limit."""


def parse_offer(body: bytes, max_bytes: int, need_direction: str) -> str:
    """Validate a WHIP/WHEP offer and return it as text.

    ``need_direction`` is ``"send"`` for a publisher (WHIP) and ``"recv"`` for a viewer (WHEP):
    the offer must carry a video section that can do it.
    """
    if len(body) > max_bytes:
        raise OfferTooLarge(f"SDP offer is {len(body)} bytes; the limit is {max_bytes}")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput(f"SDP offer is not UTF-8 text (byte {error.start})") from error
    if not text.lstrip().startswith("v=0"):
        raise InvalidInput("body is not an SDP offer: it must start with 'v=0'")
    try:
        description = SessionDescription.parse(text)
    except Exception as error:  # aiortc raises assorted errors on malformed input
        raise InvalidInput(f"malformed SDP offer: {error or type(error).__name__}") from error
    mids = [m.rtp.muxId for m in description.media]
    repeated = sorted({mid for mid in mids if mids.count(mid) > 1})
    if repeated:
        raise InvalidInput(f"SDP offer repeats media section id(s) {', '.join(map(repr, repeated))}"
                           " (a=mid): give each m= section its own")
    videos = [m for m in description.media if m.kind == "video"]
    if not videos:
        raise InvalidInput("SDP offer has no video section (m=video)")
    wanted = {"send": ("sendonly", "sendrecv"), "recv": ("recvonly", "sendrecv")}[need_direction]
    if not any((m.direction or "sendrecv") in wanted for m in videos):
        raise InvalidInput(f"SDP offer's video section must be one of {', '.join(wanted)}")
    if not any(m.ice and m.ice.usernameFragment and m.ice.password for m in videos):
        raise InvalidInput("SDP offer has no ICE credentials (a=ice-ufrag / a=ice-pwd)")
    if not any(m.dtls and m.dtls.fingerprints for m in videos):
        raise InvalidInput("SDP offer has no DTLS fingerprint (a=fingerprint)")
    return text
