"""Limits a hostile or careless client meets on the real server (``proctor serve``): field
lengths (422), header count and size (431), a stalled body (408), a giant declared body (413,
unread) and live views per user (429). The server runs with a small view cap and body timeout
so the limits are reached quickly."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from support.stack import Stack, sdp_offer

VIEWS = 2  # PROCTOR_MAX_WHEP_SESSIONS_PER_USER on this server
STALL_S = 1.0  # PROCTOR_BODY_TIMEOUT_S on this server


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = Stack(tmp_path_factory.mktemp("limits"))
    stack.server_env = {"PROCTOR_MAX_WHEP_SESSIONS_PER_USER": str(VIEWS),
                        "PROCTOR_BODY_TIMEOUT_S": str(STALL_S)}
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
    response = httpx.post(f"{limited.url}/api/users", headers=admin, json={
        "username": "long_name", "password": "a-long-password", "role": "supervisor",
        "display_name": "名" * 100_000})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "display_name"]


def test_too_many_or_too_large_headers_are_431(limited: Stack) -> None:
    many = {f"x-filler-{n}": "1" for n in range(150)}
    response = httpx.get(f"{limited.url}/healthz", headers=many)
    assert response.status_code == 431
    assert "at most 100" in response.json()["detail"]
    large = httpx.get(f"{limited.url}/healthz", headers={"Cookie": "c=" + "x" * 20_000})
    assert large.status_code == 431
    assert "cookies included" in large.json()["detail"]
    assert httpx.get(f"{limited.url}/healthz").status_code == 200


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
