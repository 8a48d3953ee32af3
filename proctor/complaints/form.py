"""What a complaint says, as the public form and the officers' registration take it.

Every text is visible text only (the report's rules: no control or format characters,
surrogates or private-use code points), within its length; an empty optional field is
absent. A complaint names the organisation complained about, or a batch (which names it).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from proctor.supervision.report.text import Line, Moment, Paragraph


def _absent_if_blank(value: object) -> object:
    """An empty or blank form field is an absent one (HTML forms send every field)."""
    return None if isinstance(value, str) and not value.strip() else value


Optional = BeforeValidator(_absent_if_blank)
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Seat = Annotated[Line, StringConstraints(max_length=20)]
Name = Annotated[Line, StringConstraints(max_length=100)]


class ComplaintForm(BaseModel):
    """The complaint: about what, when, what happened, and (optionally) who complains."""

    model_config = ConfigDict(extra="forbid")

    organisation_id: Annotated[Id | None, Optional] = None
    batch_id: Annotated[Id | None, Optional] = None
    room_id: Annotated[Id | None, Optional] = None
    seat: Annotated[Seat | None, Optional] = None
    candidate: Annotated[Name | None, Optional] = Field(
        default=None, description="准考证号 or name of the candidate concerned")
    incident_from: Annotated[Moment | None, Optional] = None
    incident_to: Annotated[Moment | None, Optional] = None
    text: Annotated[Paragraph, Field(min_length=5)] = Field(
        description="what happened (at most 4,000 characters)")
    complainant_name: Annotated[Name | None, Optional] = Field(
        default=None, description="absent: anonymous (匿名)")
    complainant_contact: Annotated[Line | None, Optional] = None

    @model_validator(mode="after")
    def _consistent(self) -> ComplaintForm:
        if self.organisation_id is None and self.batch_id is None:
            raise ValueError("name the organisation (organisation_id) or the batch "
                             "(batch_id) the complaint is about")
        if self.incident_from and self.incident_to and self.incident_to < self.incident_from:
            raise ValueError("incident_to is before incident_from")
        return self
