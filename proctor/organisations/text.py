"""The one check every name and number of this directory goes through."""

from __future__ import annotations

import unicodedata

from proctor.errors import InvalidInput

MAX_TEXT = 200


def clean_text(value: str, what: str, *, required: bool = True) -> str:
    """``value`` in NFC without surrounding blanks; :class:`InvalidInput` naming ``what``
    when it is blank (and required), longer than :data:`MAX_TEXT` characters, or holds a
    character that is not printable text (controls, format characters, surrogates)."""
    text = value.strip()
    bad = next((char for char in text if not char.isprintable()), None)
    if bad is not None:
        raise InvalidInput(f"{what} holds the non-printable character U+{ord(bad):04X}")
    text = unicodedata.normalize("NFC", text)
    if required and not text:
        raise InvalidInput(f"{what} must not be blank")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"{what} is longer than {MAX_TEXT} characters")
    return text
