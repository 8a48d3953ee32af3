"""The live alert messages, server to console, over ``/api/live/alerts``.

Each is a pydantic model sent as ``model_dump(mode="json")``. ``web/static/alerts.schema.json``
is their JSON Schema (:func:`alerts_schema`); a test keeps it up to date and checks that
``web/static/alerts.js`` reads only fields defined here.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from proctor.events.views import EventView
from proctor.vision.transitions import CameraStatus

EventAction = Literal["open", "update", "close"]


class _Message(BaseModel):
    # every field is sent, defaults included: the schema says so
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


class AnalysisStatus(BaseModel):
    """The camera's latest analysed sample: the count against the expected count."""

    analysed: bool
    people: int | None = Field(description=(
        "people counted in the latest sample: the camera's current count (an event's "
        "peak_count is its worst sample, a different number)"))
    expected: int | None = Field(description="people expected now (the scene or the roster)")
    phone_detection: bool = Field(description="false: the model has no phone class")
    picture: str = Field(description="ok, no picture, or the tamper signals present")
    not_analysed_reason: str | None
    model: str | None
    at: float = Field(description="sample time, epoch seconds")


class _CameraHead(_Message):
    type: Literal["camera"] = "camera"
    camera_id: int


# the head's fields first (pydantic orders fields from the last base), as the schema lists them
class CameraMessage(AnalysisStatus, _CameraHead):
    """A camera's analysis state changed (the count, the picture, whether it is analysed)."""

    @classmethod
    def of(cls, status: CameraStatus) -> CameraMessage:
        """The message for a camera's status."""
        return cls.model_validate(status, from_attributes=True)


class EventMessage(_Message):
    """An event opened, got worse, or closed."""

    type: Literal["event"] = "event"
    action: EventAction
    at: float = Field(description="epoch seconds; for open, when the rule confirmed it")
    event: EventView


class HelloMessage(_Message):
    """The first message, and again when the user's cameras change: every allowed camera's
    state and open events (replacing what the console knew)."""

    type: Literal["hello"] = "hello"
    analysis: bool = Field(description="whether the server analyses cameras at all")
    cameras: list[CameraMessage]
    events: list[EventView]


AlertMessage = HelloMessage | CameraMessage | EventMessage
_TaggedMessage = Annotated[AlertMessage, Field(discriminator="type")]


def alerts_schema() -> dict[str, Any]:
    """The JSON Schema of every alert message."""
    return TypeAdapter(_TaggedMessage).json_schema(mode="serialization")


def alerts_schema_json() -> str:
    """:func:`alerts_schema` as ``web/static/alerts.schema.json`` holds it."""
    return json.dumps(alerts_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
