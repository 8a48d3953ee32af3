"""Property-based fuzz of the whole REST API: every operation of the OpenAPI document, called
in-process (ASGI, no socket) with generated valid and invalid requests, in turn as an
administrator and as a supervisor of site 1 (the routes only edge devices may call, as the
seeded device), and again with hostile values put into its valid bodies (lone surrogates,
NaN and Infinity, absurd or naive dates); none may answer with a 5xx, and every answer must
be as the document declares it (status code, media type, body schema, headers).

Nothing of the document is left out: WHIP and WHEP offers run against the app's own media
service, and the fuzz may log its own users out, reset their passwords, deactivate them or
rotate the device's token (a new session or token is then made, and the request sent
again). WebSockets (live alerts) are not in the document, so not fuzzed here.

The app runs with a real object store (loopback SeaweedFS), so archive routes are exercised
too, on a database seeded with one site, room, device and camera (id 1 of each: generated
ids hit them often, since hypothesis favours the bounds). Examples per operation are few and
derandomized, so a run is bounded and repeatable; raise ``FUZZ_EXAMPLES`` locally to dig.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import ASGIClient, get_client, shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from support.route_rules import RULES, Access

from proctor import directory
from proctor.app import create_app
from proctor.auth import attempts
from proctor.config import load_settings
from proctor.db.models import Role
from proctor.db.session import session_scope
from proctor.services import services_of
from proctor_dev.seaweed import EmbeddedSeaweedFS

pytestmark = pytest.mark.slow
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
PASSWORD = "a-long-password"
BASE = "http://testserver"
# What a hostile client puts where a valid body has a string, a number or a date.
HOSTILE_TEXTS = ("\ud800", "9999-12-31T23:59:59-12:00", "a\udfffb", "0000-01-01T00:00:00",
                 "\x00", "2026-01-01T08:00:00", "x" * 100_000)
HOSTILE_NUMBERS = (math.nan, math.inf, -math.inf, 2**64, -(2**64), 10**400)


def _seed(client: ASGIClient, admin: dict[str, str]) -> tuple[int, str]:
    """One site, room, device and camera (id 1 of each); returns the device's id and token."""
    site = client.post(f"{BASE}/api/sites", json={"name": "考点"}, headers=admin).json()
    room = client.post(f"{BASE}/api/rooms", json={"site_id": site["id"], "name": "R1"},
                       headers=admin).json()
    device = client.post(f"{BASE}/api/devices", json={"site_id": site["id"], "name": "edge"},
                         headers=admin).json()
    client.post(f"{BASE}/api/cameras", headers=admin, json={
        "room_id": room["id"], "name": "front", "device_id": device["device"]["id"]})
    return device["device"]["id"], device["token"]


def _app(data_dir: Path, **overrides: Any) -> FastAPI:
    return create_app(load_settings(data_dir=data_dir, ice_host_addresses=["127.0.0.1"],
                                    analysis_enabled=False, **overrides))


def _openapi() -> dict[str, Any]:
    """The API's OpenAPI document (building the app starts nothing)."""
    with tempfile.TemporaryDirectory() as data_dir:
        return _app(Path(data_dir)).openapi()


schema = schemathesis.openapi.from_dict(_openapi())
schema.config.generation.update(max_examples=EXAMPLES, deterministic=True)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Fuzzer:
    """Someone the fuzz calls as: their bearer header, a GET only they may make (to tell
    whether the fuzz ended their session or token) and how to get a new header."""

    headers: dict[str, str]
    probe: str
    renew: Callable[[], dict[str, str]]


@dataclass
class FuzzApp:
    """The started app, its in-process client and whom the fuzz calls as: the users in turn,
    and the seeded edge device on the routes only a device may call."""

    app: FastAPI
    client: ASGIClient
    users: list[Fuzzer]
    device: Fuzzer | None = None

    def add_user(self, username: str, role: Role, site_ids: list[int]) -> Fuzzer:
        """Create a fuzzing user and open their session."""
        with session_scope(services_of(self.app).session_factory) as db:
            user_id = directory.create_user(db, "test", username, PASSWORD, role,
                                            site_ids=site_ids).id

        def renew() -> dict[str, str]:
            # without the HTTP login, which the fuzz's wrong passwords may have throttled
            services = services_of(self.app)
            with session_scope(services.session_factory) as db:
                directory.update_user(db, "test", user_id, role=role, is_active=True,
                                      site_ids=site_ids)
                directory.reset_password(db, "test", user_id, PASSWORD)
                token = attempts.log_in(db, username, PASSWORD,
                                        services.settings.session_ttl_hours,
                                        services.settings.session_key, "fuzz")
            assert token is not None
            return _bearer(token)

        fuzzer = Fuzzer(renew(), "/api/auth/me", renew)
        self.users.append(fuzzer)
        return fuzzer

    def add_device(self, device_id: int, token: str) -> None:
        """Call the device-only routes as ``device_id``."""
        def renew() -> dict[str, str]:
            with session_scope(services_of(self.app).session_factory) as db:
                return _bearer(directory.rotate_device_token(db, "test", device_id))

        self.device = Fuzzer(_bearer(token), "/api/time", renew)

    def send(self, fuzzer: Fuzzer, request: Callable[[dict[str, str]], Any]) -> Any:
        """``request(headers)``, sent again once if the fuzz had ended ``fuzzer``'s session
        (a logout, a password reset, a deactivation, a rotated device token)."""
        response = request(fuzzer.headers)
        if response.status_code == 401 and self.client.get(
                f"{BASE}{fuzzer.probe}", headers=fuzzer.headers).status_code == 401:
            fuzzer.headers = fuzzer.renew()
            response = request(fuzzer.headers)
        return response

    def caller(self, method: str, path: str) -> Fuzzer:
        """Whom to call an operation as: the device on its routes, else the next user."""
        rule = RULES.get((method, path))  # every route has one: test_authorisation_matrix
        if rule is not None and rule.access is Access.DEVICE and self.device is not None:
            return self.device
        return self.users[next(_turns) % len(self.users)]


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory,
             seaweed: EmbeddedSeaweedFS) -> Iterator[FuzzApp]:
    """The started app, seeded, with an administrator, a supervisor of site 1 and a device."""
    app = _app(tmp_path_factory.mktemp("fuzz"), s3_endpoint=seaweed.endpoint,
               s3_access_key=seaweed.access_key, s3_secret_key=seaweed.secret_key,
               s3_bucket="fuzz")
    try:
        client = get_client(app).__enter__()  # starts the lifespan, until shutdown_lifespans
        fuzz = FuzzApp(app, client, [])
        admin = fuzz.add_user("root", Role.ADMIN, [])
        fuzz.add_device(*_seed(client, admin.headers))
        fuzz.add_user("supervisor", Role.SUPERVISOR, [1])
        yield fuzz
    finally:
        shutdown_lifespans()


Leaf = tuple[str | int, ...]  # where a value sits in a JSON body: keys and indexes


def leaves(body: Any, at: Leaf = ()) -> Iterator[Leaf]:
    """Where the strings and numbers of a JSON body are."""
    if isinstance(body, dict | list):
        items = body.items() if isinstance(body, dict) else enumerate(body)
        for key, item in items:
            yield from leaves(item, (*at, key))
    elif isinstance(body, str | int | float) and not isinstance(body, bool):
        yield at


def replaced(body: Any, at: Leaf, value: Any) -> Any:
    """``body`` with the value at ``at`` replaced."""
    if not at:
        return value
    head, rest = at[0], at[1:]
    if isinstance(body, dict):
        return {**body, head: replaced(body[head], rest, value)}
    return [replaced(item, rest, value) if i == head else item for i, item in enumerate(body)]


def hostile_bodies(body: Any, seed: int) -> Iterator[str]:
    """``body`` (a valid JSON body) once per string or number in it, with that value made
    hostile, as JSON text (``NaN``, ``Infinity`` and ``\\ud800`` escapes included)."""
    for index, at in enumerate(leaves(body)):
        pick = seed + index
        old: Any = body
        for key in at:
            old = old[key]
        value = HOSTILE_TEXTS[pick % len(HOSTILE_TEXTS)] if isinstance(old, str) \
            else HOSTILE_NUMBERS[pick % len(HOSTILE_NUMBERS)]
        yield json.dumps(replaced(body, at, value))


_seeds = itertools.count()
_turns = itertools.count()  # whose turn it is: the administrator's or the supervisor's
# no 5xx, and every answer as the document declares it: status, media type, body, headers
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
def test_no_server_error(case: Any, fuzz_app: FuzzApp) -> None:
    """No generated request gets a 5xx or an answer the document does not declare; nor does
    an accepted JSON body with one of its values made hostile."""
    client = fuzz_app.client
    fuzzer = fuzz_app.caller(case.method, case.path)
    response = fuzz_app.send(fuzzer, lambda headers: case.call_and_validate(
        base_url=BASE, session=client, headers=headers, checks=CHECKS))
    if response.status_code >= 300 or case.media_type != "application/json":
        return
    for raw in hostile_bodies(case.body, next(_seeds)):
        answer = fuzz_app.send(fuzzer, _with_body(client, case, raw))
        assert answer.status_code < 500, (case.method, case.formatted_path, raw, answer.text)
        assert str(answer.status_code) in case.operation.responses.status_codes, \
            (case.method, case.formatted_path, raw, answer.status_code)


def _with_body(client: ASGIClient, case: Any, raw: str) -> Callable[[dict[str, str]], Any]:
    """The request of ``case`` with ``raw`` as its body, to send with given headers."""
    def request(headers: dict[str, str]) -> Any:
        sent = case.as_transport_kwargs(base_url=BASE, headers=headers)
        del sent["json"]
        return client.request(**sent, data=raw.encode())
    return request


def test_giant_json_body_is_refused(fuzz_app: FuzzApp) -> None:
    """The app caps bodies: one past the limit is refused with 413 before it is read."""
    giant = b'{"name": "' + b"x" * (2 << 20) + b'"}'
    response = fuzz_app.client.post(
        f"{BASE}/api/sites", data=giant,
        headers={**fuzz_app.users[0].headers, "Content-Type": "application/json"})
    assert response.status_code == 413, response.text
    assert "limit is 1048576 bytes" in response.json()["detail"]
