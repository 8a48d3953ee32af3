"""Domain errors to HTTP, on a small app in memory (no server): each error kind gets its
status, its message and the header a client acts on; values JSON or the database cannot hold
get a 4xx naming them, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, Field
from sqlalchemy import create_engine
from sqlalchemy.pool import QueuePool

from proctor.api.errors import install_error_handlers
from proctor.auth.attempts import TooManyAttempts
from proctor.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    ProctorError,
)
from proctor.media.sdp import OfferTooLarge
from proctor.recording.store import StorageError
from proctor.supervision.roster import Problem, RosterRejected, RosterTooLarge

ERRORS: dict[str, ProctorError] = {
    "offer": OfferTooLarge("the offer is too large"),
    "roster-size": RosterTooLarge("the roster file is too large"),
    "attempts": TooManyAttempts(61),
    "storage": StorageError("the object store is down: check it"),
    "auth": NotAuthenticated("log in"),
    "missing": NotFound("no camera 9"),
    "forbidden": Forbidden("not your site"),
    "conflict": Conflict("name taken"),
    "invalid": InvalidInput("bad input"),
    "base": ProctorError("something else"),
    "roster": RosterRejected([Problem(2, "no name"), Problem(5, "bad id")]),
}


class Reading(BaseModel):
    """A body with a bounded number and a short text."""

    value: float = Field(gt=0, lt=1)
    name: str = Field(default="a", max_length=2)


def build_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/raise/{kind}")
    def raise_(kind: str) -> None:
        raise ERRORS[kind]

    @app.get("/items/{item_id}")
    def item(item_id: str, page: str = "1") -> None:
        int(item_id) + int(page)
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    @app.get("/text")
    def text() -> None:
        "\ud800".encode()

    @app.get("/busy")
    def busy() -> None:
        """A real pool of one connection, already in use: the checkout times out."""
        engine = create_engine("sqlite://", pool_size=1, max_overflow=0, pool_timeout=0.05,
                               poolclass=QueuePool)
        with engine.connect(), engine.connect():
            pass

    @app.post("/readings")
    def reading(body: Reading) -> float:
        return body.value

    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        yield client


@pytest.mark.parametrize(("kind", "status"), [
    ("offer", 413), ("roster-size", 413), ("attempts", 429), ("storage", 503), ("auth", 401),
    ("missing", 404), ("forbidden", 403), ("conflict", 409), ("invalid", 400), ("base", 400),
    ("roster", 400),
])
async def test_each_error_kind_has_its_status_and_message(client: httpx.AsyncClient,
                                                          kind: str, status: int) -> None:
    response = await client.get(f"/raise/{kind}")
    assert response.status_code == status
    assert response.json()["detail"] == str(ERRORS[kind])


async def test_a_client_is_told_how_to_authenticate_and_how_long_to_wait(
        client: httpx.AsyncClient) -> None:
    assert (await client.get("/raise/auth")).headers["www-authenticate"] == "Bearer"
    throttled = await client.get("/raise/attempts")
    assert throttled.headers["retry-after"] == "61"
    assert throttled.json()["detail"].endswith("try again in 2 min")
    assert "retry-after" not in (await client.get("/raise/missing")).headers


async def test_a_refused_roster_lists_every_bad_line(client: httpx.AsyncClient) -> None:
    body = (await client.get("/raise/roster")).json()
    assert body["problems"] == [{"line": 2, "reason": "no name"}, {"line": 5, "reason": "bad id"}]
    assert body["detail"].endswith("line 2: no name\nline 5: bad id")


async def test_a_storage_failure_is_logged(client: httpx.AsyncClient,
                                           caplog: pytest.LogCaptureFixture) -> None:
    await client.get("/raise/storage")
    assert "object store failure: the object store is down" in caplog.text


@pytest.mark.parametrize(("url", "named"), [
    ("/items/99999999999999999999", "parameter 'item_id'"),
    ("/items/1?page=-9223372036854775809", "parameter 'page'"),
    ("/items/9223372036854775808?page=%2B9223372036854775808", "parameter 'item_id', 'page'"),
    ("/items/1?page=1", "a number or date in the request"),
], ids=["path", "query below", "both", "neither"])
async def test_a_value_the_database_cannot_hold_is_a_400_naming_it(
        client: httpx.AsyncClient, url: str, named: str) -> None:
    response = await client.get(url)
    assert response.status_code == 400
    assert response.json()["detail"] == (f"{named} is out of range: ids run from 1 to "
                                         "9223372036854775807, times must be real dates; "
                                         "correct it and retry")


async def test_ids_at_the_edges_of_the_range_are_not_blamed(client: httpx.AsyncClient) -> None:
    response = await client.get("/items/9223372036854775807?page=-9223372036854775808")
    assert response.json()["detail"].startswith("a number or date in the request")


async def test_a_lone_surrogate_is_a_400_asking_for_utf8(client: httpx.AsyncClient) -> None:
    response = await client.get("/text")
    assert response.status_code == 400
    assert "not valid Unicode" in response.json()["detail"]
    assert "send well-formed UTF-8 text" in response.json()["detail"]


def post_json(client: httpx.AsyncClient, text: str) -> Awaitable[httpx.Response]:
    return client.post("/readings", content=text, headers={"content-type": "application/json"})


@pytest.mark.parametrize(("value", "echoed"), [("NaN", "nan"), ("Infinity", "inf"),
                                               ("-Infinity", "-inf")])
async def test_a_non_finite_number_is_echoed_as_text_in_the_422(
        client: httpx.AsyncClient, value: str, echoed: str) -> None:
    """Python's JSON reader takes NaN and Infinity; the default handler then fails."""
    response = await post_json(client, f'{{"value": {value}}}')
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["loc"], error["input"]) == (["body", "value"], echoed)


async def test_a_lone_surrogate_in_a_body_is_echoed_escaped_in_the_422(
        client: httpx.AsyncClient) -> None:
    response = await post_json(client, '{"value": 0.5, "name": "\\ud800\\ud800\\ud800"}')
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["loc"], error["input"]) == (["body", "name"], "\\ud800" * 3)


async def test_an_ordinary_422_keeps_fastapis_body(client: httpx.AsyncClient) -> None:
    response = await post_json(client, '{"value": 2}')
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["type"], error["input"], error["ctx"]) == ("less_than", 2, {"lt": 1.0})


async def test_a_pool_with_every_connection_in_use_is_a_503_to_retry(
        client: httpx.AsyncClient) -> None:
    """A request storm (the fleet bench: WHIP offers each holding a connection) exhausts the
    pool; a request that cannot get a connection is told to retry, not a 500."""
    response = await client.get("/busy")
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    assert "busy" in response.json()["detail"]
