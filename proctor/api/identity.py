"""Who is calling: one :func:`authenticate` for HTTP requests and WebSockets alike.

A console user presents a session token as ``Authorization: Bearer pst_...`` (API clients)
or in the HttpOnly session cookie (the console). A cookie is sent by the browser whatever
page started the request, so it is believed only from this server's own pages when the
request can change something (any HTTP method but GET/HEAD/OPTIONS) or opens a WebSocket
(cross-site WebSocket hijacking): a CSRF defence on top of the SameSite=Strict cookie,
which a sibling subdomain or port would pass.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from proctor.auth.sessions import user_for_session_token
from proctor.db.models import User
from proctor.errors import Forbidden, NotAuthenticated

SESSION_COOKIE = "proctor_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def bearer_token(connection: HTTPConnection) -> str | None:
    """The token in ``Authorization: Bearer ...``, if any."""
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def presented_session_token(connection: HTTPConnection) -> str | None:
    """The console session token the connection came with (bearer first, then the cookie),
    without judging where it came from."""
    return bearer_token(connection) or connection.cookies.get(SESSION_COOKIE) or None


def _from_own_origin(connection: HTTPConnection) -> bool:
    source = connection.headers.get("origin") or connection.headers.get("referer") or ""
    return urlsplit(source).netloc == connection.headers.get("host", "")


def _cookie_needs_origin(connection: HTTPConnection) -> bool:
    if connection.scope["type"] == "websocket":
        return True
    return connection.scope.get("method", "GET") not in SAFE_METHODS


def session_token(connection: HTTPConnection) -> str:
    """The session token to believe: bearer, or the cookie if the origin rules allow it.

    Raises :class:`NotAuthenticated` when there is none, :class:`Forbidden` for a cookie
    sent with a change (or a WebSocket) started by another site's page.
    """
    token = bearer_token(connection)
    if token is not None:
        return token
    token = connection.cookies.get(SESSION_COOKIE) or None
    if token is None:
        raise NotAuthenticated("log in first: no session cookie or bearer token was sent")
    if _cookie_needs_origin(connection) and not _from_own_origin(connection):
        raise Forbidden("cross-origin request refused: send it from the console "
                        "or authenticate with a bearer token")
    return token


def authenticate(connection: HTTPConnection, db: Session, session_key: bytes) -> User:
    """The logged-in user behind the connection's credentials.

    Raises :class:`NotAuthenticated` (no or an ended session) or :class:`Forbidden` (a
    cookie from another site's page, see :func:`session_token`).
    """
    user = user_for_session_token(db, session_token(connection), session_key)
    if user is None:
        raise NotAuthenticated("session expired or invalid: log in again")
    return user
