"""Notes typed during review (verdict notes, findings, gap explanations).

They end up on the signed report, so they follow the report's rule for remarks
(:data:`~proctor.supervision.report.text.Paragraph`): visible text and line breaks, at most
4,000 characters; anything else is refused with the position and code point named.
"""

from __future__ import annotations

from pydantic import TypeAdapter, ValidationError

from proctor.errors import InvalidInput
from proctor.supervision.report.text import Paragraph

_PARAGRAPH: TypeAdapter[str] = TypeAdapter(Paragraph)


def clean_note(text: str, what: str, *, required: bool) -> str:
    """``text`` as a report remark (NFC, trimmed); ``""`` when blank and not ``required``;
    :class:`InvalidInput` naming ``what`` otherwise."""
    if not text.strip():
        if required:
            raise InvalidInput(f"the {what} must not be blank")
        return ""
    try:
        return _PARAGRAPH.validate_python(text)
    except ValidationError as error:
        reason = error.errors()[0]["msg"].removeprefix("Value error, ")
        raise InvalidInput(f"the {what} is refused: {reason}") from error
