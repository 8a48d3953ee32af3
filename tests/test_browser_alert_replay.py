"""A real browser on the live page of node b of two clustered nodes: while node b restarts,
node a opens an alert; the page reconnects with ``?after=<the last seq it saw>`` and gets
the missed alert once (the stream's numbers never repeat, the wall shows one alert)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import WebSocket
from support.browser import chromium
from support.cluster import observe_people, two_nodes
from support.console_checks import DESKTOP, console_page, wait_js
from support.stack import PASSWORD
from support.wait import wait_until_sync

pytestmark = pytest.mark.browser

CAMERA = 1
ENV = {"PROCTOR_WEBRTC_SETUP_TIMEOUT_S": "600"}


class Sockets:
    """Every alerts WebSocket the page opens: its URL and the messages it received."""

    def __init__(self) -> None:
        self.opened: list[tuple[str, list[dict[str, Any]]]] = []

    def record(self, socket: WebSocket) -> None:
        received: list[dict[str, Any]] = []
        self.opened.append((socket.url, received))
        socket.on("framereceived", lambda payload: received.append(json.loads(payload)))

    def numbered(self) -> list[int]:
        """The stream numbers of all messages received, in order, over every socket."""
        return [m["seq"] for _, received in self.opened for m in received if "seq" in m]


def _shows_people(page: Any, node: Any, people: int) -> bool:
    """Report ``people`` to node a until the page's count shows it."""
    def shown() -> bool:
        observe_people(node, CAMERA, 0)
        observe_people(node, CAMERA, people)
        return bool(page.evaluate(
            "([id, n]) => document.getElementById(`count-${id}`)?.dataset.people === n",
            [CAMERA, str(people)]))
    return wait_until_sync(shown, timeout=90, interval=0.5)


@pytest.mark.timeout(400)
def test_the_live_page_gets_alerts_missed_during_a_restart_once(tmp_path: Path) -> None:
    with two_nodes(tmp_path, ENV, start=False) as nodes:
        a, b = nodes.a, nodes.b
        a.analysis = True  # camera 1's observations are analysed on node a
        a.start_server()
        b.start_server()
        admin = a.login("admin")
        httpx.put(f"{a.url}/api/cameras/{CAMERA}/scene", json={"expected_headcount": 1},
                  headers={"Authorization": f"Bearer {admin}"}, timeout=60).raise_for_status()
        sockets = Sockets()
        with chromium(tmp_path / "profile") as browser:
            page = console_page(browser, "en-US", DESKTOP)
            page.on("websocket", sockets.record)
            page.goto(f"{b.url}/login?next=/live")
            page.fill("#username", "sup_a")
            page.fill("#password", PASSWORD)
            page.click("#login-button")
            page.wait_for_url(f"{b.url}/live")
            assert _shows_people(page, a, 1)
            last_seen = page.evaluate("window.proctorLive.alertStream.lastSeq")
            assert isinstance(last_seen, int) and last_seen == sockets.numbered()[-1]

            b.stop_server()  # the page's node restarts; node a keeps analysing
            wait_js(page, "window.proctorLive.alertStream.state === 'retrying'", timeout=30)
            token = a.login("sup_a")

            def opened_on_a() -> list[dict[str, Any]]:
                observe_people(a, CAMERA, 4)  # 3 people more than expected: extra_person
                return [e for e in httpx.get(
                    f"{a.url}/api/events", params={"camera_id": CAMERA, "open": True},
                    headers={"Authorization": f"Bearer {token}"}, timeout=60).json()
                    if e["kind"] == "extra_person"]
            [event] = wait_until_sync(opened_on_a, timeout=90, interval=0.5)
            b.start_server()

            alert = f"#alerts-{CAMERA} li.alert[data-event-id='{event['id']}']"
            page.locator(alert).wait_for(timeout=90_000)  # the backoff may be 16 s by now
            wait_js(page, "window.proctorLive.alertStream.state === 'open'")
            assert page.locator(alert).count() == 1

        url, replayed = sockets.opened[-1]
        assert url.endswith(f"/api/live/alerts?after={last_seen}"), url
        assert replayed[0]["type"] == "hello"
        missed = [m for m in replayed[1:] if m["type"] == "event"
                  and m["event"]["id"] == event["id"] and m["action"] == "open"]
        assert len(missed) == 1, replayed  # the missed alert, replayed once
        assert missed[0]["seq"] > last_seen
        numbers = sockets.numbered()
        assert numbers == sorted(set(numbers)), numbers  # nothing twice, nothing out of order
        print(f"{len(sockets.opened)} sockets; after={last_seen}; replayed "
              f"{len([m for m in replayed if 'seq' in m])} numbered messages")
