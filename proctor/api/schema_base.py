"""What the API's bodies build on: a request body that refuses unknown fields, and a response
body read from a stored row."""

from __future__ import annotations

from typing import Any, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict

RowT = TypeVar("RowT")


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
