"""Failed-login limits: guessing one account's password, or many accounts, from one address
is paused with 429 and Retry-After; other addresses and accounts are unaffected; the pause
ends with the window and is audit-logged. (The app runs in-process under Starlette's test
client, whose client address is just a label: no packets are sent.)"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from support.wait import wait_until_sync

from proctor import directory
from proctor.app import create_app
from proctor.config import load_settings
from proctor.db.models import AuditEntry, Role
from proctor.db.session import session_scope
from proctor.services import services_of

PASSWORD = "a-long-password"
# Long enough for every attempt of a test to land inside one window even on a loaded machine
# (one password check took 0.46 s at load 12), short enough to wait out the window once.
WINDOW_S = 10.0


@pytest.fixture
def app(tmp_path: Path) -> Iterator[FastAPI]:
    app = create_app(load_settings(
        data_dir=tmp_path, ice_host_addresses=["127.0.0.1"], analysis_enabled=False,
        login_max_failures=3, login_max_failures_per_address=5,
        login_window_minutes=WINDOW_S / 60))
    with TestClient(app):
        with session_scope(services_of(app).session_factory) as db:
            for name in ("alice", "bob", "carol"):
                directory.create_user(db, "test", name, PASSWORD, Role.SUPERVISOR)
        yield app


def attempt(app: FastAPI, address: str, username: str,
            password: str) -> tuple[int, dict[str, str], str]:
    client = TestClient(app, client=(address, 50000))  # the app is already running
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    return response.status_code, dict(response.headers), response.json().get("detail", "")


def test_guessing_one_account_pauses_it_from_that_address_only(app: FastAPI) -> None:
    guesser, colleague = "127.0.0.2", "127.0.0.3"
    for _ in range(3):
        assert attempt(app, guesser, "alice", "guess")[0] == 401
    code, headers, detail = attempt(app, guesser, "alice", PASSWORD)  # even the right one
    assert code == 429 and "too many failed logins" in detail
    assert 1 <= int(headers["retry-after"]) <= WINDOW_S + 1
    assert attempt(app, colleague, "alice", PASSWORD)[0] == 200  # not locked out elsewhere
    assert attempt(app, guesser, "bob", PASSWORD)[0] == 200  # other accounts from there: fine

    # the pause ends by itself once the failures leave the window (its exact edges are
    # unit-tested in test_throttle.py); a refused attempt meanwhile does not extend it
    assert wait_until_sync(lambda: attempt(app, guesser, "alice", PASSWORD)[0] == 200,
                           timeout=WINDOW_S + 30, interval=1.0)

    with session_scope(services_of(app).session_factory) as db:
        entries = db.execute(select(AuditEntry.action, AuditEntry.actor, AuditEntry.target)
                             .where(AuditEntry.action.like("auth.login_%"))).all()
    assert ("auth.login_throttled", "login:alice", f"address:{guesser}") in entries
    assert entries.count(("auth.login_failed", "login:alice", f"address:{guesser}")) == 3


def test_spraying_many_accounts_pauses_the_address(app: FastAPI) -> None:
    sprayer = "127.0.0.4"
    for name in ("alice", "bob", "carol", "dave", "erin"):  # two of them do not even exist
        assert attempt(app, sprayer, name, "Summer2026!")[0] == 401
    assert attempt(app, sprayer, "carol", PASSWORD)[0] == 429
    assert attempt(app, "127.0.0.5", "carol", PASSWORD)[0] == 200


def test_parallel_guesses_are_each_counted(app: FastAPI) -> None:
    burst = "127.0.0.6"
    with ThreadPoolExecutor(max_workers=10) as pool:
        codes = sorted(code for code, _, _ in pool.map(
            lambda i: attempt(app, burst, "bob", f"guess-{i}"), range(10)))
    assert codes == [401] * 3 + [429] * 7  # the limit holds however many arrive at once
    with session_scope(services_of(app).session_factory) as db:
        throttled = db.scalars(select(AuditEntry.id).where(
            AuditEntry.action == "auth.login_throttled",
            AuditEntry.target == f"address:{burst}")).all()
    assert len(throttled) == 1  # one entry per window, not one per refused request
