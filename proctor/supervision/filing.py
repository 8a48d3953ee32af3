"""The filing number (备案号) a batch is given by the appraisal centre when it is filed.

Filing (the ``file`` transition) needs it: the centre's number for the batch's plan, printed
in the report's header and on the public draw page. It is a document number as the centre
writes it (``BA-2026-017`` or ``厦人社认定备〔2026〕17号``; see
:data:`~proctor.supervision.report.text.DocumentNumber`) and unique: two batches never share one.
"""

from __future__ import annotations

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from proctor.errors import Conflict, InvalidInput
from proctor.supervision.records import Batch
from proctor.supervision.report.text import DOCUMENT_NUMBER_RULE, DocumentNumber

_NUMBER: TypeAdapter[str] = TypeAdapter(DocumentNumber)


def checked_filing_number(db: Session, batch_id: int, given: str | None) -> str:
    """``given`` as the batch's filing number: :class:`InvalidInput` when it is missing or
    not a document number, :class:`Conflict` naming the batch that already has it."""
    text = (given or "").strip()
    if not text:
        raise InvalidInput("filing a batch needs the filing number (备案号) the appraisal "
                           "centre gave it: filing_number (API) or --filing-number (CLI)")
    try:
        number = _NUMBER.validate_python(text)
    except ValidationError as error:
        raise InvalidInput(f"filing number {text[:64]!r} is not a document number: "
                           f"{DOCUMENT_NUMBER_RULE}") from error
    holder = db.scalar(select(Batch.id).where(Batch.filing_number == number,
                                              Batch.id != batch_id))
    if holder is not None:
        raise Conflict(f"filing number {number} is already batch {holder}'s")
    return number


def assign_filing_number(db: Session, batch: Batch, number: str) -> None:
    """Give the batch ``number`` (checked); :class:`Conflict` when another batch took it at
    the same moment."""
    batch.filing_number = number
    try:
        db.flush()
    except IntegrityError as error:
        raise Conflict(f"filing number {number} was given to another batch at the same "
                       "time") from error
