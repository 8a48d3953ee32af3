"""Safe value types for report content: text a PDF can show, times a report can hold.

Report text is typed by people and printed on a legal record, so it is refused, with the
position and code point named, when it holds anything that is not visible text: control
characters (line breaks are allowed only in long text), format characters such as bidi
overrides and zero-width joiners (which can make printed text read differently from the
stored text), surrogates, private-use and unassigned code points.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints

BEIJING = timezone(timedelta(hours=8), "北京时间")
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
_REFUSED_CATEGORIES = {"Cc": "control", "Cf": "format", "Cs": "surrogate",
                       "Co": "private-use", "Cn": "unassigned"}


def _visible(text: str, allow_newlines: bool) -> str:
    """``text`` in NFC without surrounding blanks; raises ``ValueError`` naming the first
    character that is not visible text."""
    text = unicodedata.normalize("NFC", text).strip()
    for position, char in enumerate(text):
        if allow_newlines and char == "\n":
            continue
        kind = _REFUSED_CATEGORIES.get(unicodedata.category(char))
        if kind is not None or char in "\u2028\u2029":
            raise ValueError(f"{kind or 'line separator'} character U+{ord(char):04X} at "
                             f"position {position}: only visible text is allowed")
    if not text:
        raise ValueError("must not be blank")
    return text


def _line(text: str) -> str:
    return _visible(text, allow_newlines=False)


def _paragraph(text: str) -> str:
    return _visible(text.replace("\r\n", "\n"), allow_newlines=True)


_DOCUMENT_NUMBER_PUNCTUATION = frozenset(".-/_()[]〔〕【】")
DOCUMENT_NUMBER_RULE = ("letters (Chinese included), digits and . - / _ ( ) [ ] 〔 〕 【 】, at "
                        "most 64, starting with a letter or digit, no spaces")


def _document_number(text: str) -> str:
    """``text`` in NFKC (full-width ``ＢＡ２０２６`` is ``BA2026``, so one number has one
    spelling); raises ``ValueError`` saying what a document number may hold."""
    text = unicodedata.normalize("NFKC", text).strip()

    def allowed(char: str) -> bool:
        category = unicodedata.category(char)
        return category[0] == "L" or category == "Nd" or char in _DOCUMENT_NUMBER_PUNCTUATION

    if not 1 <= len(text) <= 64 or not all(map(allowed, text)) or not allowed(text[0]) \
            or text[0] in _DOCUMENT_NUMBER_PUNCTUATION:
        raise ValueError(f"{text[:64]!r} is not a document number: {DOCUMENT_NUMBER_RULE}")
    return text


def _in_range(moment: datetime) -> datetime:
    try:
        day = moment.astimezone(UTC).date()
    except OverflowError:  # its offset pushes it past year 1 or 9999
        day = None
    if day is None or not EARLIEST <= day <= LATEST:
        raise ValueError(f"{moment.isoformat()} is outside {EARLIEST}..{LATEST}")
    return moment


def _whole_second(moment: datetime) -> datetime:
    if moment.microsecond:
        raise ValueError(f"{moment.isoformat()} is not to the second")
    return moment


def _plausible_date(day: date) -> date:
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"{day.isoformat()} is outside {EARLIEST}..{LATEST}")
    return day


Line = Annotated[str, StringConstraints(max_length=200), AfterValidator(_line)]
"""One line of visible text (names, numbers, places), at most 200 characters."""
Paragraph = Annotated[str, StringConstraints(max_length=4000), AfterValidator(_paragraph)]
"""Visible text with line breaks (remarks, opinions), at most 4,000 characters."""
Code = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z][0-9A-Za-z.\-/_]{0,63}$")]
"""An identifier such as a report number or an occupation code: ASCII, at most 64."""
DocumentNumber = Annotated[str, StringConstraints(max_length=256),
                          AfterValidator(_document_number)]
"""A document number as its office prints it: ``BA-2026-017``, ``厦人社认定备〔2026〕17号``."""
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
"""A SHA-256 digest, 64 lowercase hex digits."""
Link = Annotated[str, StringConstraints(pattern=r"^(/|https://)[!-~]{1,500}$")]
"""An evidence link: a path on this service or an https URL, printable ASCII only."""
Moment = Annotated[AwareDatetime, AfterValidator(_in_range)]
"""A time with its zone, between 2000 and 2100."""
Second = Annotated[Moment, AfterValidator(_whole_second)]
"""A time to the second (clip boundaries)."""
Day = Annotated[date, AfterValidator(_plausible_date)]
"""A calendar date between 2000 and 2100."""
Count = Annotated[int, Field(ge=0, le=100_000)]
"""A head count."""
