"""Limits a hostile or careless client meets on the real server (``proctor serve``): field
lengths (422), header count and size (431), stalled or trickled headers and a stalled body
(408), a giant declared body (413, unread) and live views per user (429). The server runs with
a small view cap and short timeouts so the limits are reached quickly."""

from __future__ import annotations

import asyncio
import select
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from support.stack import Stack, sdp_offer

VIEWS = 2  # PROCTOR_MAX_WHEP_SESSIONS_PER_USER on this server
STALL_S = 1.0  # PROCTOR_BODY_TIMEOUT_S on this server
HEADERS_S = 2.0  # PROCTOR_HEADER_TIMEOUT_S on this server
SLOW_MACHINE_S = 60  # httpx waits 5 s by default: too little for a loaded 2-core machine


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = Stack(tmp_path_factory.mktemp("limits"))
    stack.server_env = {"PROCTOR_MAX_WHEP_SESSIONS_PER_USER": str(VIEWS),
                        "PROCTOR_BODY_TIMEOUT_S": str(STALL_S),
                        "PROCTOR_HEADER_TIMEOUT_S": str(HEADERS_S)}
    stack.provision()
    stack.start_server()
    try:
        yield stack
    finally:
        stack.close()


def _raw(stack: Stack, request: bytes) -> bytes:
    """Send ``request`` over a plain socket; the server's whole answer."""
    with socket.create_connection(("127.0.0.1", stack.port), timeout=30) as raw:
        raw.sendall(request)
        chunks = []
        while chunk := raw.recv(65536):
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks):
                break
        return b"".join(chunks)


def test_a_huge_display_name_is_refused_naming_the_field(limited: Stack) -> None:
    admin = {"Authorization": f"Bearer {limited.login('admin')}"}
    response = httpx.post(f"{limited.url}/api/users", headers=admin, timeout=SLOW_MACHINE_S, json={
        "username": "long_name", "password": "a-long-password", "role": "supervisor",
        "display_name": "名" * 100_000})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "display_name"]


def test_too_many_or_too_large_headers_are_431(limited: Stack) -> None:
    many = {f"x-filler-{n}": "1" for n in range(150)}
    response = httpx.get(f"{limited.url}/healthz", headers=many, timeout=SLOW_MACHINE_S)
    assert response.status_code == 431
    assert "at most 100" in response.json()["detail"]
    large = httpx.get(f"{limited.url}/healthz", headers={"Cookie": "c=" + "x" * 20_000},
                      timeout=SLOW_MACHINE_S)
    assert large.status_code == 431
    assert "cookies included" in large.json()["detail"]
    assert httpx.get(f"{limited.url}/healthz", timeout=SLOW_MACHINE_S).status_code == 200


def test_headers_past_the_parser_buffer_are_refused_unread(limited: Stack) -> None:
    answer = _raw(limited, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: "
                  + b"x" * 200_000 + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 4"), answer[:100]


def test_a_stalled_body_is_408(limited: Stack) -> None:
    started = time.monotonic()
    answer = _raw(limited, b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"user")
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert STALL_S <= time.monotonic() - started < STALL_S + 20


def _dropped_after(stack: Stack, parts: list[bytes], every_s: float) -> tuple[bytes, float]:
    """Send ``parts`` of a request, ``every_s`` apart, until the server answers, then wait;
    the server's answer (until it closes the connection) and how long after connecting."""
    with socket.create_connection(("127.0.0.1", stack.port), timeout=30) as raw:
        started = time.monotonic()
        for part in parts:
            if select.select([raw], [], [], every_s)[0]:  # answered: send no more
                break
            raw.sendall(part)
        answer = b"".join(iter(lambda: raw.recv(65536), b""))
        return answer, time.monotonic() - started


TRICKLE = [b"GET /healthz HTTP/1.1\r\n", *(b"X-Slow: %d\r\n" % n for n in range(30))]


@pytest.mark.parametrize(("parts", "every_s", "within_s"), [
    ([b"GET /hea"], 0.0, HEADERS_S + 20),  # half a request line, then silence
    ([], 0.0, HEADERS_S + 20),  # connected, nothing sent
    # a header line every 0.3 s for 9 s: dropped long before the last would be sent
    (TRICKLE, 0.3, 0.3 * len(TRICKLE)),
], ids=["half line", "silent", "trickled headers"])
def test_headers_that_do_not_arrive_in_time_are_408(limited: Stack, parts: list[bytes],
                                                     every_s: float, within_s: float) -> None:
    """The deadline runs from the connection (or the request's first byte), however slowly
    the rest trickles in."""
    answer, closed_after = _dropped_after(limited, parts, every_s)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"did not arrive within 2 s" in answer
    assert HEADERS_S - 0.2 <= closed_after < within_s  # timed from the server's accept


def test_a_kept_alive_connection_is_timed_per_request(limited: Stack) -> None:
    """A complete request is answered; the next one on the connection has its own deadline."""
    with socket.create_connection(("127.0.0.1", limited.port), timeout=30) as raw:
        raw.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        first = raw.recv(65536)
        while not first.endswith(b'"ok"}'):  # the head and the body may come apart
            first += raw.recv(65536)
        assert first.startswith(b"HTTP/1.1 200"), first[:200]
        raw.sendall(b"GET /heal")
        started = time.monotonic()
        second = b"".join(iter(lambda: raw.recv(65536), b""))
        assert second.startswith(b"HTTP/1.1 408"), second[:200]
        assert HEADERS_S - 0.2 <= time.monotonic() - started < HEADERS_S + 20


def test_a_100_mib_login_body_is_refused_before_it_is_read(limited: Stack) -> None:
    answer = _raw(limited, b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Type: application/json\r\nContent-Length: 104857600\r\n\r\n{")
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


async def test_live_views_per_user_are_capped(limited: Stack) -> None:
    offer = await sdp_offer("recvonly", codecs_h264_only=True)
    headers = {"Authorization": f"Bearer {limited.login('admin')}",
               "Content-Type": "application/sdp"}
    async with httpx.AsyncClient(base_url=limited.url, headers=headers, timeout=30) as http:
        camera = limited.site_a.camera_ids[0]
        opened = [await http.post(f"/whep/{camera}", content=offer) for _ in range(VIEWS)]
        assert [r.status_code for r in opened] == [201] * VIEWS
        refused = await http.post(f"/whep/{camera}", content=offer)
        assert refused.status_code == 429, refused.text
        assert "PROCTOR_MAX_WHEP_SESSIONS_PER_USER" in refused.json()["detail"]
        assert (await http.delete(opened[0].headers["location"])).status_code == 200
        again = await http.post(f"/whep/{camera}", content=offer)
        assert again.status_code == 201, again.text
        await asyncio.gather(*(http.delete(r.headers["location"]) for r in (opened[1], again)))


def test_a_segment_upload_cut_mid_body_is_408_to_send_again(stack: Stack) -> None:
    """A link cut mid-upload: the 408 must not carry the permanent-refusal mark, or the
    agent sets the segment aside instead of sending it again (found by test_fault_link)."""
    stack.stop_server()  # a server with an object store, and this module's short stall
    stack.server_env["PROCTOR_BODY_TIMEOUT_S"] = str(STALL_S)
    stack.start_server()
    limited = stack
    assert limited.site_a is not None
    digest = "sha-256=:" + "A" * 43 + "=:"
    answer = _raw(limited, (
        f"PUT /api/cameras/{limited.site_a.camera_ids[0]}/segments/1795000000000 HTTP/1.1\r\n"
        f"Host: x\r\nAuthorization: Bearer {limited.site_a.device_token}\r\n"
        f"Content-Type: video/mp2t\r\nContent-Length: 100000\r\nRepr-Digest: {digest}\r\n"
        "X-Segment-End-Ms: 1795000002000\r\n\r\n").encode() + b"\x47" * 188)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:300]
    assert b"x-proctor-reject" not in answer.lower(), answer[:300]
