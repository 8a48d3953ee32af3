"""The spool alarm and the device status report: the alarm says what is held and since when;
the report carries the spool and camera states, and a refused or failed report is logged and
counted as not sent. The server is an in-memory HTTP handler (httpx's transport seam)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest

from edge_agent.spool import Spool, SpoolUsage
from edge_agent.status import StatusReporter, spool_alarm

CAMERAS = {3: {"recording": True, "publishing": False}}


def usage(used: int, cap: int, oldest: dict[int, int] | None = None) -> SpoolUsage:
    oldest = oldest or {}
    return SpoolUsage(used, cap, len(oldest), {c: used // max(1, len(oldest)) for c in oldest},
                      oldest)


@pytest.mark.parametrize("used, cap, alarmed", [(0, 1, False), (99, 100, False),
                                                (100, 100, True), (10**15, 100, True)])
def test_the_alarm_sounds_at_the_cap(used: int, cap: int, alarmed: bool) -> None:
    assert (spool_alarm(usage(used, cap, {1: 1_790_000_000_000})) is not None) is alarmed


def test_the_alarm_says_how_much_is_held_since_when_and_that_nothing_is_deleted() -> None:
    alarm = spool_alarm(usage(150, 100, {1: 1_790_000_000_000, 2: 1_790_000_500_000}))
    assert alarm is not None
    assert "150 bytes used of 100 cap" in alarm and "2 segments unsent since 2026-09-" in alarm
    assert "nothing is deleted" in alarm


def test_an_alarm_with_nothing_pending_has_no_date() -> None:
    alarm = spool_alarm(usage(100, 100))
    assert alarm is not None and "unsent since -" in alarm


def reporter_with(handler: httpx.MockTransport, tmp_path: Path) -> tuple[StatusReporter,
                                                                        httpx.AsyncClient]:
    http = httpx.AsyncClient(transport=handler)
    return StatusReporter(Spool(tmp_path, 1000), http, "http://server.invalid/",
                          lambda: CAMERAS), http


async def test_the_report_carries_spool_and_camera_states(tmp_path: Path) -> None:
    received: list[dict[str, object]] = []

    def server(request: httpx.Request) -> httpx.Response:
        assert (request.method, request.url.path) == ("POST", "/api/devices/me/status")
        received.append(json.loads(request.content))
        return httpx.Response(204)

    reporter, http = reporter_with(httpx.MockTransport(server), tmp_path)
    reporter.alarm = "spool full: test"
    async with http:
        await reporter.report(usage(150, 100, {3: 1_790_000_000_000}))
    assert reporter.reports_sent == 1
    assert received == [{"spool_bytes": 150, "spool_max_bytes": 100, "pending_segments": 1,
                         "oldest_pending_start_ms": 1_790_000_000_000,
                         "alarm": "spool full: test",
                         "cameras": {"3": {"recording": True, "publishing": False}}}]


@pytest.mark.parametrize("answer, logged", [
    (httpx.Response(401, text="unknown device"), "status report refused: 401 unknown device"),
    (httpx.Response(500, text="x" * 10_000), "status report refused: 500 " + "x" * 200),
    (httpx.Response(302, headers={"location": "/login"}), "status report refused: 302"),
])
async def test_a_refused_report_is_logged_not_counted(tmp_path: Path,
                                                      caplog: pytest.LogCaptureFixture,
                                                      answer: httpx.Response, logged: str) -> None:
    caplog.set_level(logging.WARNING)
    reporter, http = reporter_with(httpx.MockTransport(lambda request: answer), tmp_path)
    async with http:
        await reporter.report(usage(0, 100))
    assert reporter.reports_sent == 0
    assert logged in caplog.text and "x" * 201 not in caplog.text


async def test_an_unreachable_server_is_logged_not_raised(tmp_path: Path,
                                                          caplog: pytest.LogCaptureFixture
                                                          ) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    reporter, http = reporter_with(httpx.MockTransport(down), tmp_path)
    async with http:
        await reporter.report(usage(0, 100))
    assert reporter.reports_sent == 0
    assert "status report not sent: ConnectTimeout: timed out" in caplog.text
