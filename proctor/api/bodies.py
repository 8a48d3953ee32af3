"""Reading request bodies with a size limit, whether or not a length is declared."""

from __future__ import annotations

from fastapi import HTTPException, Request, status


async def read_limited(request: Request, limit: int, what: str,
                       require_length: bool = False) -> bytes:
    """The body; 411 if a length is required but missing, 413 once it exceeds ``limit``.

    A chunked body without Content-Length is counted as it streams in, so it can never
    make the server buffer more than ``limit`` bytes.
    """
    declared = request.headers.get("content-length")
    if declared is None or not declared.isdigit():
        if require_length:
            raise HTTPException(status.HTTP_411_LENGTH_REQUIRED, detail="Content-Length is required")
    elif int(declared) > limit:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE,
                            detail=f"{what} is {declared} bytes; the limit is {limit}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE,
                                detail=f"{what} exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
