"""Map domain errors to HTTP responses with the error's own message."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from proctor.errors import (
    Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound, ProctorError,
)
from proctor.media.sdp import OfferTooLarge
from proctor.recording.store import StorageError

logger = logging.getLogger(__name__)

STATUS_BY_ERROR: list[tuple[type[ProctorError], int]] = [
    (OfferTooLarge, status.HTTP_413_CONTENT_TOO_LARGE),
    (StorageError, status.HTTP_503_SERVICE_UNAVAILABLE),
    (NotAuthenticated, status.HTTP_401_UNAUTHORIZED),
    (NotFound, status.HTTP_404_NOT_FOUND),
    (Forbidden, status.HTTP_403_FORBIDDEN),
    (Conflict, status.HTTP_409_CONFLICT),
    (InvalidInput, status.HTTP_400_BAD_REQUEST),
]


def install_error_handlers(app: FastAPI) -> None:
    """Register the handler for :class:`ProctorError` and its subclasses."""

    async def handle(_request: Request, error: Exception) -> JSONResponse:
        if isinstance(error, StorageError):
            logger.error("object store failure: %s", error)
        code = next(
            (c for kind, c in STATUS_BY_ERROR if isinstance(error, kind)),
            status.HTTP_400_BAD_REQUEST,
        )
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, NotAuthenticated) else None
        return JSONResponse({"detail": str(error)}, status_code=code, headers=headers)

    app.add_exception_handler(ProctorError, handle)
