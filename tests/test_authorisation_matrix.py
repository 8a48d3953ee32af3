"""The authorisation matrix: every route of the app × every caller × an object in scope and
one outside it, against the rule table in ``support.route_rules``.

The routes are read from the app itself (routers included with ``include_router`` too), so
a new route without a rule fails here, and so does a rule for a route that is gone.

An authorised call is any answer but 401, 403 and 404 (a route's rule names the other
answers when a 404 is one): bodies are left out unless the access check runs in the
handler, so most authorised calls end in 422 and change nothing. There is no object store
and no analysis: a route that needs the store answers 503 once the caller is authorised,
which counts as authorised; every route decides access before it asks for the store, so
its refusals are seen here too. A rule may name a known ``defect``: its refusals are then
strict xfails.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, APIWebSocketRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Mount, WebSocketRoute
from starlette.websockets import WebSocketDisconnect
from support.authz_world import World, build_world
from support.console import console_client
from support.route_rules import (
    ANONYMOUS,
    CALLERS,
    DEVICE,
    RULES,
    SCOPED,
    WEBSOCKET,
    Rule,
    Where,
    expected,
)

from proctor.api.public import is_public
from proctor.auth.secrets import hash_session_token, new_session_token
from proctor.db.base import utcnow
from proctor.db.models import UserSession
from proctor.db.session import session_scope
from proctor.services import Services, services_of

REFUSALS = frozenset({401, 403, 404})
KNOWN = {("GET", "/healthz"), ("POST", "/whip/{camera_id}"), (WEBSOCKET, "/api/live/alerts"),
         ("GET", "/api/batches/{batch_id}/review"), ("GET", "/api/reports/{report_id}/pdf")}
AUTHORISED = "authorised"  # what a WebSocket that sent its hello is recorded as


@dataclass(frozen=True)
class Matrix:
    client: TestClient
    services: Services
    world: World


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    """One app and database for the whole module."""
    with console_client(tmp_path_factory.mktemp("authz")) as client:
        services = services_of(client.app)  # type: ignore[arg-type]
        with session_scope(services.session_factory) as db:
            world = build_world(db, utcnow())
        client.cookies.clear()
        yield Matrix(client, services, world)


def app_routes(app: FastAPI) -> dict[tuple[str, str], BaseRoute]:
    """Every route of the app by (method, path), walking included routers; WebSockets
    under :data:`WEBSOCKET`, mounts under ``GET``."""
    routes: dict[tuple[str, str], BaseRoute] = {}
    for context in iter_route_contexts(app.routes):
        route, path = context.original_route, context.path
        assert isinstance(path, str), route
        if isinstance(route, APIWebSocketRoute | WebSocketRoute):
            routes[WEBSOCKET, path] = route
        elif isinstance(route, Mount):
            routes["GET", path] = route
        else:
            routes.update({(method, path): route for method in context.methods or ()
                           if method != "HEAD"})
    return routes


def test_every_route_has_a_rule_and_every_rule_a_route(matrix: Matrix) -> None:
    routes = app_routes(matrix.client.app)  # type: ignore[arg-type]
    assert len(routes) >= 90 and routes.keys() >= KNOWN, sorted(routes)
    missing = sorted(f"{method} {path}" for method, path in routes.keys() - RULES.keys())
    stale = sorted(f"{method} {path}" for method, path in RULES.keys() - routes.keys())
    assert not missing, f"add a rule to tests/support/route_rules.py RULES for: {missing}"
    assert not stale, f"these routes no longer exist: remove their rules: {stale}"


def test_the_public_mark_agrees_with_the_rules(matrix: Matrix) -> None:
    routes = app_routes(matrix.client.app)  # type: ignore[arg-type]
    disagree = sorted(f"{method} {path}" for (method, path), route in routes.items()
                      if isinstance(route, APIRoute)
                      and is_public(route) != (RULES[method, path].access.name == "PUBLIC"))
    assert not disagree, f"openapi_extra=PUBLIC and the rule table disagree on {disagree}"


def _wheres(path: str) -> tuple[Where, ...]:
    return ("in", "out") if SCOPED & set(re.findall(r"{(\w+)}", path)) else ("-",)


def _known_failure(rule: Rule, refusal: int | None) -> str | None:
    """Why the refusal expected cannot be seen (a known defect), if it cannot."""
    return None if refusal is None else rule.defect


def _case(method: str, path: str, caller: str, where: Where) -> object:
    """One cell of the matrix; one known to fail is a strict xfail saying why."""
    rule = RULES[method, path]
    reason = _known_failure(rule, expected(rule, caller, where))
    return pytest.param(method, path, caller, where, id=f"{method} {path} | {caller} | {where}",
                        marks=[pytest.mark.xfail(strict=True, reason=reason)] if reason else [])


CASES = [_case(method, path, caller, where) for method, path in RULES
         for caller in CALLERS for where in _wheres(path)]


def _headers(matrix: Matrix, caller: str) -> dict[str, str]:
    """The caller's credentials: none, site A's device token, or a new session of the
    role's user (every case its own, so logging out or a password change ends nothing
    else)."""
    if caller == ANONYMOUS:
        return {}
    if caller == DEVICE:
        return {"Authorization": f"Bearer {matrix.world.device_token}"}
    token, key = new_session_token(), matrix.services.settings.session_key
    with session_scope(matrix.services.session_factory) as db:
        db.add(UserSession(user_id=matrix.world.users[caller],
                           token_hash=hash_session_token(token, key),
                           expires_at=utcnow() + timedelta(hours=1)))
    return {"Authorization": f"Bearer {token}"}


def _call(matrix: Matrix, method: str, url: str, rule: Rule,
          headers: dict[str, str]) -> tuple[int | str, str]:
    """The answer's status (a WebSocket: its close code, or :data:`AUTHORISED` once it
    sent its hello) and text."""
    if method == WEBSOCKET:
        try:
            with matrix.client.websocket_connect(url, headers=headers) as socket:
                return AUTHORISED, str(socket.receive_json())
        except WebSocketDisconnect as closed:
            return closed.code, closed.reason
    response = matrix.client.request(method, url, headers=headers, json=rule.body,
                                     params=rule.query)
    return response.status_code, response.text[:300]


@pytest.mark.parametrize(("method", "path", "caller", "where"), CASES)
def test_authorisation(matrix: Matrix, method: str, path: str, caller: str,
                       where: Where) -> None:
    rule = RULES[method, path]
    url = rule.url or path.format(**matrix.world.params[where])
    status, text = _call(matrix, method, url, rule, _headers(matrix, caller))
    refusal = expected(rule, caller, where)
    if method == WEBSOCKET:
        assert status == (AUTHORISED if refusal is None else 1008), text
    elif refusal is not None:
        assert status == refusal, f"expected {refusal} ({rule.access.value}), got: {text}"
    elif rule.passes is not None:
        assert status in rule.passes, f"authorised, expected {set(rule.passes)}, got: {text}"
    else:
        assert status not in REFUSALS, f"authorised ({rule.access.value}), refused: {text}"
