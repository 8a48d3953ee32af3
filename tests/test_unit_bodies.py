"""Request body limits as plain ASGI, without a server: the general cap refuses a declared or
streamed body past its limit before the route sees more, and a route reading its own raw body
replaces the cap with its limit and names what is too large."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from fastapi import HTTPException
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from proctor.api.bodies import BodyLimit, read_limited


def http_scope(length: int | None = None) -> Scope:
    headers = [] if length is None else [(b"content-length", str(length).encode())]
    return {"type": "http", "method": "POST", "path": "/", "headers": headers}


def body(*chunks: bytes) -> tuple[Receive, list[int]]:
    """A client sending ``chunks``; the list counts the chunks taken."""
    messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
                for i, c in enumerate(chunks)]
    taken: list[int] = []

    async def receive() -> Message:
        taken.append(1)
        return messages[len(taken) - 1]

    return receive, taken


async def no_send(message: Message) -> None:
    raise AssertionError("nothing should be sent")


def reading_app(seen: list[bytes]) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            seen.append(message.get("body", b""))
            if not message.get("more_body"):
                return
    return app


async def test_a_body_within_the_cap_reaches_the_route() -> None:
    seen: list[bytes] = []
    receive, _ = body(b"a" * 6, b"b" * 4)
    await BodyLimit(reading_app(seen), limit=10)(http_scope(10), receive, no_send)
    assert seen == [b"a" * 6, b"b" * 4]


async def test_a_declared_length_over_the_cap_is_refused_before_reading() -> None:
    receive, taken = body(b"a" * 11)
    with pytest.raises(HTTPException) as refused:
        await BodyLimit(reading_app([]), limit=10)(http_scope(11), receive, no_send)
    assert refused.value.status_code == 413
    assert refused.value.detail == ("the request body is 11 bytes; the limit is 10 bytes: "
                                    "send less")
    assert taken == []


async def test_an_undeclared_body_is_cut_off_as_it_streams_past_the_cap() -> None:
    seen: list[bytes] = []
    receive, taken = body(b"a" * 6, b"b" * 5, b"c" * 100)
    with pytest.raises(HTTPException, match="exceeds the limit") as refused:
        await BodyLimit(reading_app(seen), limit=10)(http_scope(), receive, no_send)
    assert refused.value.status_code == 413
    assert (seen, len(taken)) == ([b"a" * 6], 2)


async def test_a_lying_content_length_does_not_widen_the_cap() -> None:
    receive, _ = body(b"a" * 8, b"b" * 8)
    with pytest.raises(HTTPException, match="exceeds the limit"):
        await BodyLimit(reading_app([]), limit=10)(http_scope(4), receive, no_send)


async def test_other_scopes_pass_through_untouched() -> None:
    calls: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        calls.append(scope["type"])

    scope: Scope = {"type": "websocket", "headers": [(b"content-length", b"99")]}
    await BodyLimit(app, limit=1)(scope, body()[0], no_send)
    assert calls == ["websocket"]
    assert "proctor.body_cap" not in scope


async def read_through_cap(chunks: tuple[bytes, ...], length: int | None, limit: int,
                           require_length: bool = False) -> bytes:
    """``read_limited`` in a route behind a cap of 4 bytes."""
    result: list[bytes] = []

    async def route(scope: Scope, receive: Receive, send: Send) -> None:
        result.append(await read_limited(Request(scope, receive), limit, "the segment",
                                         require_length))

    receive, _ = body(*chunks)
    await BodyLimit(route, limit=4)(http_scope(length), receive, no_send)
    return result[0]


async def test_a_route_reads_past_the_general_cap_up_to_its_own_limit() -> None:
    assert await read_through_cap((b"a" * 10, b"b" * 10), 20, limit=20) == b"a" * 10 + b"b" * 10
    assert await read_through_cap((b"a" * 10, b"b" * 10), None, limit=20) == \
        b"a" * 10 + b"b" * 10


@pytest.mark.parametrize(("length", "chunks", "detail"), [
    (21, (b"a" * 21,), "the segment is 21 bytes; the limit is 20"),
    (None, (b"a" * 15, b"b" * 6), "the segment exceeds the limit of 20 bytes"),
    (5, (b"a" * 15, b"b" * 6), "the segment exceeds the limit of 20 bytes"),
], ids=["declared", "streamed", "understated"])
async def test_a_route_body_over_its_limit_is_named(length: int | None,
                                                   chunks: tuple[bytes, ...],
                                                   detail: str) -> None:
    with pytest.raises(HTTPException) as refused:
        await read_through_cap(chunks, length, limit=20)
    assert (refused.value.status_code, refused.value.detail) == (413, detail)


async def test_a_required_length_must_be_declared() -> None:
    with pytest.raises(HTTPException) as refused:
        await read_through_cap((b"abc",), None, limit=20, require_length=True)
    assert (refused.value.status_code, refused.value.detail) == \
        (411, "Content-Length is required")
    assert await read_through_cap((b"abc",), 3, limit=20, require_length=True) == b"abc"


async def test_an_empty_body_is_empty() -> None:
    assert await read_through_cap((b"",), 0, limit=20) == b""
