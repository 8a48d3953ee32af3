"""The filing number (备案号) a batch is filed with, on a real (SQLite) database: missing or
not a document number is refused saying what one is, a Chinese number as the centre writes
it is taken (full-width characters folded to one spelling), one another batch has is refused
naming that batch, the batch's own number may be given again, and a number taken at the same
moment by another session is a conflict, not a database error."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from support.batches import World, opened, planned_batch

from proctor.errors import Conflict, InvalidInput
from proctor.supervision.filing import assign_filing_number, checked_filing_number
from proctor.supervision.records import Batch


@pytest.mark.parametrize("given", [None, "", "   \t\n"])
def test_a_missing_number_says_where_to_give_it(db: Session, world: World,
                                                given: str | None) -> None:
    batch = planned_batch(db, world)
    with pytest.raises(InvalidInput, match="--filing-number"):
        checked_filing_number(db, batch.id, given)


@pytest.mark.parametrize("given", [
    "A" * 65, "-2026-17", "〔2026〕17号", "BA 2026", "BA\u202e2026", "BA\x002026", "BA;DROP",
    "厦人社\u200b备2026", "BA\ud8002026", "BA<script>"])
def test_what_is_not_a_document_number_is_refused_saying_what_one_is(
        db: Session, world: World, given: str) -> None:
    batch = planned_batch(db, world)
    with pytest.raises(InvalidInput, match="is not a document number: letters .Chinese"):
        checked_filing_number(db, batch.id, given)
    assert db.get_one(Batch, batch.id).filing_number is None


@pytest.mark.parametrize(("given", "stored"), [
    ("厦人社认定备〔2026〕17号", "厦人社认定备〔2026〕17号"),
    ("闽人社【2026】第3号", "闽人社【2026】第3号"),
    ("ＢＡ２０２６（一）", "BA2026(一)"),  # full width: one spelling, so it stays unique
])
def test_a_number_as_the_centre_writes_it_is_taken(db: Session, world: World,
                                                   given: str, stored: str) -> None:
    batch = planned_batch(db, world)
    number = checked_filing_number(db, batch.id, given)
    assert number == stored
    assign_filing_number(db, batch, number)
    db.commit()
    assert db.get_one(Batch, batch.id).filing_number == stored


def test_a_number_is_trimmed_and_one_batch_s_only(db: Session, world: World) -> None:
    first, second = planned_batch(db, world), planned_batch(db, world)
    number = checked_filing_number(db, first.id, "  BA-2026/017_a \n")
    assert number == "BA-2026/017_a"
    assign_filing_number(db, first, number)
    db.commit()
    assert checked_filing_number(db, first.id, number) == number  # its own: given again
    with pytest.raises(Conflict, match=f"already batch {first.id}'s"):
        checked_filing_number(db, second.id, number)


def test_a_number_taken_at_the_same_moment_is_a_conflict(db: Session, world: World) -> None:
    first, second = planned_batch(db, world), planned_batch(db, world)
    number = checked_filing_number(db, second.id, "BA-2026-018")  # checked, then...
    bind = db.get_bind()
    database = bind.url.database if isinstance(bind, Engine) else None
    assert database is not None
    with opened(Path(database)) as other:  # ...another request files the first with it
        assign_filing_number(other, other.get_one(Batch, first.id), number)
        other.commit()
    with pytest.raises(Conflict, match="given to another batch at the same time"):
        assign_filing_number(db, second, number)
