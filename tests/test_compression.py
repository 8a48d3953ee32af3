"""Gzip of the console's text (proctor.api.compression.TextGzip): the real server sends its
modules, catalogs and JSON gzipped to a browser that accepts it, and leaves clips alone,
whole or a Range; on a small app of its own the middleware leaves streamed answers, video,
partial answers, HEAD and small answers untouched, and never a client that did not ask."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from support.ingest import T0, put_segment
from support.segments import cut_segment
from support.stack import Stack

from proctor.api.compression import TextGzip
from proctor.config import REPO_ROOT

GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}  # httpx asks for gzip unless told otherwise
BIG = {"rows": [{"id": i, "name": f"考场 {i}"} for i in range(200)]}


def raw(response: httpx.Response) -> bytes:
    """The bytes as sent (httpx would decode a gzipped body by itself)."""
    return b"".join(response.iter_raw())


def test_the_server_gzips_text_and_never_clips(shared_stack: Stack, h264_footage: Path) -> None:
    assert shared_stack.site_a is not None
    camera = shared_stack.site_a.camera_ids[0]
    assert put_segment(shared_stack, camera, T0, cut_segment(h264_footage, 0, 10)).status_code \
        == 201
    with httpx.Client(base_url=shared_stack.url, timeout=60) as client:
        for path in ("/static/pages/live.js", "/static/i18n/zh-CN.json", "/static/style.css"):
            with client.stream("GET", path, headers=GZIP) as answer:
                body = raw(answer)
            assert answer.headers["content-encoding"] == "gzip", path
            assert int(answer.headers["content-length"]) == len(body)
            on_disk = (REPO_ROOT / "web" / path.removeprefix("/")).read_bytes()
            assert gzip.decompress(body) == on_disk and len(body) < len(on_disk) / 2, path
        plain = client.get("/static/pages/live.js", headers=IDENTITY)  # did not ask
        assert "content-encoding" not in plain.headers
        token = shared_stack.login("admin")
        auth = {**GZIP, "Authorization": f"Bearer {token}"}
        with client.stream("GET", "/openapi.json", headers=auth) as answer:
            body = raw(answer)
        assert answer.headers["content-encoding"] == "gzip"
        assert json.loads(gzip.decompress(body))["paths"]
        url = f"/api/cameras/{camera}/clip.mp4?from={T0}&to={T0 + 10_000}"
        with client.stream("GET", url, headers=auth) as whole:
            data = raw(whole)
        assert whole.status_code == 200 and whole.headers["content-type"] == "video/mp4"
        assert "content-encoding" not in whole.headers and data[4:8] == b"ftyp"
        with client.stream("GET", url, headers={**auth, "Range": "bytes=0-99"}) as part:
            data = raw(part)
        assert part.status_code == 206 and "content-encoding" not in part.headers
        assert len(data) == 100 and data[4:8] == b"ftyp"


def _app() -> Starlette:
    async def big(request: Request) -> Response:
        return JSONResponse(BIG)

    async def small(request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def streamed(request: Request) -> Response:
        async def lines() -> AsyncIterator[bytes]:
            for row in BIG["rows"]:
                yield (json.dumps(row) + "\n").encode()
        return StreamingResponse(lines(), media_type="application/json")

    async def video(request: Request) -> Response:
        return Response(b"\0" * 50_000, media_type="video/mp4")

    async def partial(request: Request) -> Response:
        return Response(b"x" * 50_000, status_code=206, media_type="text/css")

    return Starlette(routes=[Route("/big", big, methods=["GET", "HEAD"]),
                             Route("/small", small), Route("/streamed", streamed),
                             Route("/video", video), Route("/partial", partial)])


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(TextGzip(_app())) as test_client:
        yield test_client


def test_only_whole_text_answers_are_gzipped(client: TestClient) -> None:
    answer = client.get("/big", headers=GZIP)
    assert answer.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in answer.headers["vary"].lower()
    assert answer.json() == BIG  # decoded by the client: the same JSON
    for path in ("/small", "/streamed", "/video", "/partial"):
        untouched = client.get(path, headers=GZIP)
        assert "content-encoding" not in untouched.headers, path
    streamed = client.get("/streamed", headers=GZIP)
    assert [json.loads(line) for line in streamed.text.splitlines()] == BIG["rows"]
    plain = client.get("/big", headers=IDENTITY)
    assert "content-encoding" not in plain.headers  # not asked for
    head = client.head("/big", headers=GZIP)
    assert "content-encoding" not in head.headers
    assert head.headers["content-length"] == plain.headers["content-length"]
