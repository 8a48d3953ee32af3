"""Map domain errors to HTTP responses with the error's own message."""

from __future__ import annotations

import logging
import math

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import Match

from proctor.api.params import MAX_ID
from proctor.auth.attempts import TooManyAttempts
from proctor.cluster.errors import ClusterBusy, OwnedElsewhere
from proctor.complaints.intake import (
    AttachmentTooLarge,
    UnreadableText,
    UnsupportedAttachment,
)
from proctor.complaints.registration import TooManyComplaints
from proctor.db.session import (
    DATABASE_RETRY_AFTER_S,
    DATABASE_UNAVAILABLE_ERRORS,
    UNSTORABLE_VALUE_ERRORS,
)
from proctor.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    ProctorError,
)
from proctor.media.sdp import OfferTooLarge
from proctor.media.sessions import TooManySessions
from proctor.recording.store import StorageError, StoreNotConfigured
from proctor.supervision.lifecycle import BatchTransitionRefused
from proctor.supervision.report.signing import TimestampUnavailable
from proctor.supervision.roster import RosterRejected, RosterTooLarge

logger = logging.getLogger(__name__)

STATUS_BY_ERROR: list[tuple[type[ProctorError], int]] = [
    (OwnedElsewhere, status.HTTP_307_TEMPORARY_REDIRECT),
    (ClusterBusy, status.HTTP_503_SERVICE_UNAVAILABLE),
    (OfferTooLarge, status.HTTP_413_CONTENT_TOO_LARGE),
    (RosterTooLarge, status.HTTP_413_CONTENT_TOO_LARGE),
    (TooManyAttempts, status.HTTP_429_TOO_MANY_REQUESTS),
    (TooManyComplaints, status.HTTP_429_TOO_MANY_REQUESTS),
    (TooManySessions, status.HTTP_429_TOO_MANY_REQUESTS),
    (AttachmentTooLarge, status.HTTP_413_CONTENT_TOO_LARGE),
    (UnsupportedAttachment, status.HTTP_415_UNSUPPORTED_MEDIA_TYPE),
    (UnreadableText, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (StorageError, status.HTTP_503_SERVICE_UNAVAILABLE),
    (TimestampUnavailable, status.HTTP_503_SERVICE_UNAVAILABLE),
    (NotAuthenticated, status.HTTP_401_UNAUTHORIZED),
    (NotFound, status.HTTP_404_NOT_FOUND),
    (Forbidden, status.HTTP_403_FORBIDDEN),
    (Conflict, status.HTTP_409_CONFLICT),
    (InvalidInput, status.HTTP_400_BAD_REQUEST),
]


def install_error_handlers(app: FastAPI) -> None:
    """Register the handler for :class:`ProctorError` and its subclasses."""

    async def handle(_request: Request, error: Exception) -> JSONResponse:
        if isinstance(error, StorageError) and not isinstance(error, StoreNotConfigured):
            logger.error("object store failure: %s", error)
        code = next(
            (c for kind, c in STATUS_BY_ERROR if isinstance(error, kind)),
            status.HTTP_400_BAD_REQUEST,
        )
        body: dict[str, object] = {"detail": str(error)}
        if isinstance(error, BatchTransitionRefused | RosterRejected):
            body |= error.details()  # the state and missing items; the bad roster lines
        return JSONResponse(body, status_code=code, headers=_headers(error))

    app.add_exception_handler(ProctorError, handle)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(ClientDisconnect, _client_gone)
    app.add_exception_handler(status.HTTP_405_METHOD_NOT_ALLOWED, _method_not_allowed)
    for unstorable in UNSTORABLE_VALUE_ERRORS:
        app.add_exception_handler(unstorable, _unstorable_value)
    for unavailable in DATABASE_UNAVAILABLE_ERRORS:
        app.add_exception_handler(unavailable, _database_unavailable)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


async def _method_not_allowed(request: Request, error: Exception) -> JSONResponse:
    """405 with an ``Allow`` naming every method of the path: the router's own answer names
    only those of the first route matching it (``POST`` for ``/api/sites``, which GET too)."""
    assert isinstance(error, StarletteHTTPException)
    routes = request.app.router.routes
    methods = [method for method in _METHODS if any(
        route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes)]
    allow = ", ".join(methods) or (error.headers or {}).get("Allow", "")
    return JSONResponse({"detail": f"{request.method} is not allowed here; use {allow}"},
                        status_code=status.HTTP_405_METHOD_NOT_ALLOWED, headers={"Allow": allow})


async def _client_gone(request: Request, _error: Exception) -> JSONResponse:
    """A client that went away while sending its body (an agent stopped mid-upload, a
    network cut) is expected: one log line, no traceback. Nothing of the request was
    stored, and an agent keeps a segment until the server acknowledges it, so it sends the
    segment again. The answer goes nowhere; it is only for the record."""
    client = request.client.host if request.client else "a client"
    logger.info("%s went away while sending %s %s; nothing of it was stored (an agent sends "
                "an unacknowledged segment again)", client, request.method, request.url.path)
    return JSONResponse({"detail": "the request body was cut off: send it again"},
                        status_code=status.HTTP_400_BAD_REQUEST)


async def _database_unavailable(request: Request, error: Exception) -> JSONResponse:
    """503 with ``Retry-After`` while the database is away (a PostgreSQL restart): the
    request's transaction is stored whole or not at all (one transaction per request). The
    pool checks each connection before use, so requests succeed again as soon as
    the database answers. One log line, no traceback: the cause is outside the server."""
    logger.warning("database unavailable during %s %s: %s", request.method, request.url.path,
                   str(error).splitlines()[0] if str(error) else type(error).__name__)
    return JSONResponse(
        {"detail": "the database is not answering (restarting, unreachable or busy): retry in "
                   f"{DATABASE_RETRY_AFTER_S} seconds; a write is stored whole or not at all"},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)})


async def _invalid_request(_request: Request, error: Exception) -> JSONResponse:
    """FastAPI's 422 body, but a NaN, an Infinity or a lone surrogate the client sent is
    echoed escaped: JSON cannot carry them, and the default handler fails with a 500."""
    assert isinstance(error, RequestValidationError)
    detail = jsonable_encoder(error.errors(), custom_encoder={float: _finite_or_text,
                                                              str: _encodable})
    return JSONResponse({"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


async def _unstorable_value(request: Request, error: Exception) -> JSONResponse:
    """The safety net for a value no parameter type bounded and the database cannot hold:
    a 400 naming the parameter (when it is in the path or query), not a 500."""
    logger.warning("a request value the database cannot hold: %s", error, exc_info=error)
    if isinstance(error, UnicodeEncodeError):
        detail = ("a text in the request is not valid Unicode (it holds a lone surrogate "
                  "such as \\ud800): send well-formed UTF-8 text")
    else:
        named = [*request.path_params.items(), *request.query_params.multi_items()]
        huge = sorted({name for name, value in named if _beyond_ids(value)})
        where = ("parameter " + ", ".join(f"'{name}'" for name in huge)) if huge \
            else "a number or date in the request"
        detail = (f"{where} is out of range: ids run from 1 to {MAX_ID}, times must be real "
                  "dates; correct it and retry")
    return JSONResponse({"detail": detail}, status_code=status.HTTP_400_BAD_REQUEST)


def _beyond_ids(value: str) -> bool:
    """Whether ``value`` is an integer no database column holds."""
    digits = value.strip().removeprefix("-").removeprefix("+")
    if not (digits.isascii() and digits.isdigit()):
        return False
    return len(digits) > 19 or not -MAX_ID - 1 <= int(value) <= MAX_ID


def _finite_or_text(value: float) -> float | str:
    return value if math.isfinite(value) else str(value)


def _encodable(value: str) -> str:
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def _headers(error: Exception) -> dict[str, str] | None:
    """What a client needs to act on the error: how to authenticate, or how long to wait."""
    if isinstance(error, NotAuthenticated):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(error, TooManyAttempts | TooManyComplaints | ClusterBusy):
        return {"Retry-After": str(error.retry_after_s)}
    if isinstance(error, OwnedElsewhere):
        return {"Location": error.location}
    return None
