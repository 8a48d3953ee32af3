"""WHIP/WHEP offer checks: real aiortc offers pass; anything else is refused with a message
that says what is wrong, whatever bytes arrive."""

from __future__ import annotations

import asyncio
import re

import pytest
from support.stack import sdp_offer

from proctor.errors import InvalidInput
from proctor.media.sdp import OfferTooLarge, parse_offer

LIMIT = 64 * 1024


@pytest.fixture(scope="module")
def offers() -> dict[str, str]:
    """Real offers from aiortc peers, one per direction."""
    async def make() -> dict[str, str]:
        return {direction: await sdp_offer(direction)
                for direction in ("sendonly", "recvonly", "sendrecv")}

    return asyncio.run(make())


def test_real_offers_pass_for_the_direction_they_can_do(offers: dict[str, str]) -> None:
    assert parse_offer(offers["sendonly"].encode(), LIMIT, "send") == offers["sendonly"]
    assert parse_offer(offers["recvonly"].encode(), LIMIT, "recv") == offers["recvonly"]
    for need in ("send", "recv"):
        assert parse_offer(offers["sendrecv"].encode(), LIMIT, need) == offers["sendrecv"]


@pytest.mark.parametrize("direction, need", [("sendonly", "recv"), ("recvonly", "send")])
def test_the_wrong_direction_is_refused(offers: dict[str, str], direction: str,
                                             need: str) -> None:
    with pytest.raises(InvalidInput, match="video section must be one of"):
        parse_offer(offers[direction].encode(), LIMIT, need)


def test_size_limit_is_exact(offers: dict[str, str]) -> None:
    body = offers["sendonly"].encode()
    assert parse_offer(body, len(body), "send")
    with pytest.raises(OfferTooLarge, match=f"{len(body)} bytes; the limit is {len(body) - 1}"):
        parse_offer(body, len(body) - 1, "send")


@pytest.mark.parametrize("body, message", [
    (b"\xff\xfe v=0", "not UTF-8 text (byte 0)"),
    (b"v=0\r\n\xed\xa0\x80", "not UTF-8 text"),  # an encoded lone surrogate
    (b"", "must start with 'v=0'"),
    (b"<html>offer</html>", "must start with 'v=0'"),
    (b"   \r\nv=0\r\n", "no video section"),  # leading blank lines are tolerated
    (b"v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n",
     "no video section"),
])
def test_garbage_is_refused_clearly(body: bytes, message: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)):
        parse_offer(body, LIMIT, "send")


@pytest.mark.parametrize("drop, message", [
    ("a=ice-ufrag:", "no ICE credentials"),
    ("a=ice-pwd:", "no ICE credentials"),
    ("a=fingerprint:", "no DTLS fingerprint"),
])
def test_missing_security_attributes_are_refused(offers: dict[str, str], drop: str,
                                                      message: str) -> None:
    lines = offers["sendonly"].splitlines(keepends=True)
    stripped = "".join(line for line in lines if not line.startswith(drop))
    with pytest.raises(InvalidInput, match=message):
        parse_offer(stripped.encode(), LIMIT, "send")


def test_malformed_media_lines_are_invalid_input_not_a_crash() -> None:
    for body in (b"v=0\r\nm=video notaport UDP 96\r\n", b"v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
                 b"a=rtpmap:96 H264/" + b"9" * 400 + b"\r\n"):
        with pytest.raises(InvalidInput):
            parse_offer(body, LIMIT, "send")
