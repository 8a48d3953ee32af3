"""The WHIP client's HTTP handling (RFC 9725) against an ``httpx.MockTransport``: a mock
stands for the server because what is tested here is how the client reads each answer
(the statuses, the Location, a redirect to another node, a body that is not JSON), which a
real server gives only for some of them; the real exchange is tested end to end with the
server in tests/test_edge_live_streams.py and the slow stack tests. Each request the mock
receives is kept, so the token, the offer and the URL the client used are checked too."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

import httpx
import pytest

from edge_agent.whip_client import MAX_REDIRECTS, WhipClient, WhipError, WhipSession

SERVER = "http://127.0.0.1:8443/base"
OFFER = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"
ANSWER = "v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\n"
Handler = Callable[[httpx.Request], httpx.Response]


class MockServer:
    """Answers with ``handler`` and keeps every request."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.handler: Handler = lambda request: httpx.Response(500)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[MockServer]:
    """Every AsyncClient the WHIP client makes talks to the mock (nothing leaves the test)."""
    mock = MockServer()
    monkeypatch.setattr(httpx, "AsyncClient",
                        partial(httpx.AsyncClient, transport=httpx.MockTransport(mock)))
    yield mock


def created(location: str = "/whip/sessions/abc") -> httpx.Response:
    return httpx.Response(201, text=ANSWER, headers={"Location": location,
                                                     "Content-Type": "application/sdp"})


async def publish(camera: int = 7, url: str = SERVER) -> WhipSession:
    client = WhipClient(url, "device-token")
    try:
        return await client.publish(camera, OFFER)
    finally:
        await client.close()


async def test_an_accepted_offer_gives_the_answer_and_the_absolute_session_url(
        server: MockServer) -> None:
    server.handler = lambda request: created()
    session = await publish(url=SERVER + "/")
    assert session == WhipSession(ANSWER, "http://127.0.0.1:8443/whip/sessions/abc")
    [request] = server.requests
    assert (request.method, str(request.url)) == ("POST", f"{SERVER}/whip/7")
    assert request.headers["authorization"] == "Bearer device-token"
    assert request.headers["content-type"] == "application/sdp"
    assert request.content.decode() == OFFER


async def test_a_relative_location_is_read_against_the_whip_url(server: MockServer) -> None:
    server.handler = lambda request: created("sessions/9")
    assert (await publish()).location == f"{SERVER}/whip/sessions/9"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 415])
async def test_a_refusal_is_final_and_says_the_servers_reason(server: MockServer,
                                                              status: int) -> None:
    server.handler = lambda request: httpx.Response(
        status, json={"detail": "camera 7 is not this device's"})
    with pytest.raises(WhipError) as refused:
        await publish()
    assert not refused.value.retryable
    assert str(refused.value) == f"server answered {status}: camera 7 is not this device's"


@pytest.mark.parametrize(("answer", "reason"), [
    (httpx.Response(503, text="  overloaded \n"), "overloaded"),
    (httpx.Response(502, text=""), "Bad Gateway"),
    (httpx.Response(500, json=["queue full"]), "['queue full']"),
    (httpx.Response(409, json={"reason": "busy"}), "{'reason': 'busy'}"),
    (httpx.Response(429, content=b"\xff\xfe not json"), "not json"),
])
async def test_other_failures_are_retried_with_what_the_server_said(
        server: MockServer, answer: httpx.Response, reason: str) -> None:
    server.handler = lambda request: answer
    with pytest.raises(WhipError) as failed:
        await publish()
    assert failed.value.retryable
    assert str(failed.value).startswith(f"server answered {answer.status_code}: ")
    assert reason in str(failed.value)


async def test_an_accepted_offer_without_a_location_is_retried(server: MockServer) -> None:
    server.handler = lambda request: httpx.Response(201, text=ANSWER)
    with pytest.raises(WhipError, match="no Location header") as failed:
        await publish()
    assert failed.value.retryable


async def test_an_unreachable_server_is_retried_naming_the_url(server: MockServer) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    server.handler = refuse
    with pytest.raises(WhipError) as failed:
        await publish()
    assert failed.value.retryable
    assert f"server unreachable at {SERVER}/whip/7 (ConnectError: Connection refused)" == \
        str(failed.value)


@pytest.mark.parametrize("status", [307, 308])
async def test_a_redirect_to_another_node_is_followed_with_the_offer_and_token(
        server: MockServer, status: int) -> None:
    other = "http://127.0.0.2:9443/whip/7"

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "127.0.0.1":
            return httpx.Response(status, headers={"Location": other})
        return created("/whip/sessions/on-other")

    server.handler = answer
    session = await publish()
    assert session.location == "http://127.0.0.2:9443/whip/sessions/on-other"
    assert [str(r.url) for r in server.requests] == [f"{SERVER}/whip/7", other]
    second = server.requests[1]
    assert second.headers["authorization"] == "Bearer device-token"
    assert second.content.decode() == OFFER


async def test_a_redirect_without_a_location_is_a_failure_not_a_loop(server: MockServer) -> None:
    server.handler = lambda request: httpx.Response(307)
    with pytest.raises(WhipError, match="server answered 307"):
        await publish()
    assert len(server.requests) == 1


async def test_redirects_that_never_end_are_cut_off(server: MockServer) -> None:
    hops = iter(range(1, 100))
    server.handler = lambda request: httpx.Response(
        307, headers={"Location": f"http://127.0.0.{next(hops)}:8443/whip/7"})
    with pytest.raises(WhipError, match=f"more than {MAX_REDIRECTS} redirects") as failed:
        await publish()
    assert failed.value.retryable
    assert len(server.requests) == MAX_REDIRECTS + 1


async def test_a_redirect_from_https_to_http_is_refused_before_the_token_is_sent(
        server: MockServer) -> None:
    server.handler = lambda request: httpx.Response(
        307, headers={"Location": "http://127.0.0.2/whip/7"})
    with pytest.raises(WhipError, match="would travel in clear"):
        await publish(url="https://127.0.0.1:8443")
    assert [r.url.scheme for r in server.requests] == ["https"]


async def test_ending_a_session_deletes_it_and_ignores_a_gone_server(server: MockServer) -> None:
    client = WhipClient(SERVER, "device-token")
    session = WhipSession(ANSWER, f"{SERVER}/whip/sessions/abc")
    server.handler = lambda request: httpx.Response(204)
    await client.end(session)

    def gone(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    server.handler = gone
    await client.end(session)  # no error: the server may already be gone
    await client.close()
    assert [(r.method, str(r.url)) for r in server.requests] == [
        ("DELETE", session.location)] * 2
    assert {r.headers["authorization"] for r in server.requests} == {"Bearer device-token"}
