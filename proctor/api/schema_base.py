"""What the API's bodies build on: a request body that refuses unknown fields, and a response
body read from a stored row."""

from __future__ import annotations

from typing import Annotated, Any, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict, WithJsonSchema

RowT = TypeVar("RowT")

# A pair [start, end] of integers. Declared as a two-item integer array rather than with
# ``prefixItems``, which schemathesis's response validator (and OpenAPI 3.0 tools) misread.
Span = Annotated[tuple[int, int], WithJsonSchema(
    {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2})]


class Body(BaseModel):
    """A request body: an unknown field is refused (422 naming it), never ignored."""

    model_config = ConfigDict(extra="forbid")


class FromRow(BaseModel, Generic[RowT]):
    """A response body read from the attributes of a ``RowT`` (an ORM row or a dataclass)."""

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def of(cls, row: RowT) -> Self:
        """The body of ``row``."""
        return cls.model_validate(row)


def file_answer(media_type: str, what: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of a route answering a file of ``media_type`` (not JSON):
    ``@router.get(..., response_class=Response, responses=file_answer("image/jpeg", "..."))``."""
    return {200: {"description": what, "content": {
        media_type: {"schema": {"type": "string", "format": "binary"}}}}}


class ErrorAnswer(BaseModel):
    """What a refusal answers: why, in words (a 422 names each field in a list instead);
    some refusals add fields (a batch transition its state and missing items)."""

    detail: str | list[dict[str, Any]]


_REFUSALS = {
    400: "the request is malformed or names something impossible; detail says what to fix",
    401: "not logged in, or the session or device token is not valid",
    403: "the caller may not do this; detail names what is missing",
    404: "no such object, or not the caller's to see",
    408: "the request body stopped arriving",
    409: "the object's state does not allow this now",
    413: "the request body is larger than this route accepts",
    415: "the body's Content-Type is not one this route reads",
    429: "too many attempts or sessions; try again later",
    431: "too many request headers, or too large",
    503: "the object store or the timestamp authority cannot be reached",
}
ERROR_ANSWERS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorAnswer, "description": what} for code, what in _REFUSALS.items()}
"""The refusals any route may answer (the app's shared limits, authentication and error
mapping), declared on every operation of the OpenAPI document."""
