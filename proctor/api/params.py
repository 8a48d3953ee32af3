"""Parameter types shared by the routers: row ids and epoch-millisecond times within what the
databases and JSON hold, so an absurd value is refused with a 422 naming the parameter before
any query runs (SQLite cannot even bind an integer past 2**63 - 1)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import Field

MAX_ID = 2**63 - 1  # the largest row id the databases hold
EPOCH_MS_MAX = 2**53  # far beyond any real time, and safe for every database and JSON

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="a row id (1 to 2^63-1)")]
"""A row id in the path: ``def get_thing(thing_id: Id)``."""

RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A row id in a request body."""

MAX_LIST = 1000  # the most items a list in a request body may have
SHORT_TEXT = 200  # the longest name, filter value or header a request may carry

SessionId = Annotated[str, Path(max_length=64, description="a WHIP/WHEP session id")]
"""A live session's id in the path (the server's are 22 characters)."""

EpochMs = Annotated[int, Path(ge=0, le=EPOCH_MS_MAX, description="epoch ms")]
"""A time in the path, as milliseconds since the epoch."""
