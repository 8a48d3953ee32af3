"""The agent's clock offset to the server: NTP-style samples over HTTP, the least disturbed
(shortest round trip) kept, and every way the answer can be wrong turned into ClockError.
The server side is an in-memory HTTP handler (httpx's transport seam): no socket."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from support.wait import wait_until

import edge_agent.clock
from edge_agent.clock import SAMPLES, ClockError, ServerClock

Handler = Callable[[httpx.Request], httpx.Response]


def server_ahead_by(offset_ms: float) -> Handler:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/time"
        return httpx.Response(200, json={"server_time_ms": time.time() * 1000 + offset_ms})
    return answer


def clock_for(handler: Handler) -> tuple[ServerClock, httpx.AsyncClient]:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return ServerClock(http, "http://server.invalid/"), http


@pytest.mark.parametrize("offset_ms", [0.0, 1234.5, -86_400_000.0, 3.2e11])
async def test_the_offset_is_server_minus_agent(offset_ms: float) -> None:
    clock, http = clock_for(server_ahead_by(offset_ms))
    async with http:
        measured = await clock.measure()
    assert abs(measured - offset_ms) < 50  # in-memory: the round trip is well under that
    assert clock.offset_ms == measured and await clock.current() == measured


async def test_the_sample_with_the_shortest_round_trip_wins() -> None:
    """A delayed answer carries a distorted time; the quick one is kept."""
    delays: Iterator[float] = itertools.cycle([0.05, 0.0, 0.05, 0.05, 0.05])

    async def answer(request: httpx.Request) -> httpx.Response:
        delay = next(delays)
        server_ms = time.time() * 1000 + (5_000 if delay else 0)  # the slow ones lie
        await asyncio.sleep(delay)  # the queueing this is about, not a wait in the test
        return httpx.Response(200, json={"server_time_ms": server_ms})

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))  # type: ignore[arg-type]
    async with http:
        clock = ServerClock(http, "http://server.invalid")
        samples = [await clock.sample() for _ in range(SAMPLES)]
        best = min(samples, key=lambda s: s.round_trip_ms)
        assert abs(best.offset_ms) < 50
        assert abs(await clock.measure()) < 50


@pytest.mark.parametrize("response, reason", [
    (httpx.Response(503, text="down"), "503"),
    (httpx.Response(200, text="<html>proxy login</html>"), "cannot read the server time"),
    (httpx.Response(200, json={"time": 1}), "server_time_ms"),
    (httpx.Response(200, json={"server_time_ms": "soon"}), "could not convert"),
    (httpx.Response(200, json={"server_time_ms": None}), "cannot read the server time"),
    (httpx.Response(200, json=[1, 2]), "cannot read the server time"),
])
async def test_wrong_answers_are_clock_errors(response: httpx.Response, reason: str) -> None:
    clock, http = clock_for(lambda request: response)
    async with http:
        with pytest.raises(ClockError, match=reason):
            await clock.current()
    assert clock.offset_ms is None


async def test_an_unreachable_server_is_a_clock_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    clock, http = clock_for(refuse)
    async with http:
        with pytest.raises(ClockError, match="connection refused"):
            await clock.measure()


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
async def test_a_non_finite_server_time_is_a_clock_error(value: float) -> None:
    clock, http = clock_for(lambda request: httpx.Response(
        200, content=json.dumps({"server_time_ms": value}).encode()))
    async with http:
        with pytest.raises(ClockError):
            await clock.sample()


async def test_run_measures_in_the_background_and_survives_failures(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(edge_agent.clock, "RETRY_S", 0.05)  # the retry delay, shortened
    answers = iter([None] + [server_ahead_by(250.0)] * SAMPLES)  # down, then up

    def flaky(request: httpx.Request) -> httpx.Response:
        handler = next(answers, None)
        if handler is None:
            raise httpx.ConnectError("link down", request=request)
        return handler(request)

    clock, http = clock_for(flaky)
    async with http:
        task = asyncio.create_task(clock.run())
        try:  # the first failure makes run() wait RETRY_S, then it measures again
            assert await wait_until(lambda: clock.offset_ms is not None, 10)
        finally:
            task.cancel()
    assert clock.offset_ms is not None and abs(clock.offset_ms - 250) < 50
