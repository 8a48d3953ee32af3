"""Count the SQL statements a block runs: for tests that a query stays one round trip
whatever the number of rows (no lazy load per row)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session


@contextmanager
def counted_statements(db: Session) -> Iterator[list[str]]:
    """The SQL statements ``db``'s engine runs inside the block."""
    statements: list[str] = []
    engine = db.get_bind()

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
