"""The server's periodic hand-over of newly due notices to the :class:`~.notifier.Notifier`.

Each round lists every notice due within the horizon, or overdue, whose deadline is at
most ``since_days`` old (:func:`~.notice_service.due_notices` for everyone), drops those
whose key is in :class:`~.models.NoticeSent`, and for each new one calls the notifier and
then records the key, committing notice by notice. "Once" therefore survives restarts:
a sent key is in the database. Delivery is **at least once**: a crash between the
notifier's return and the commit sends that one notice again on the next round; a
notifier that raises leaves its notice for the next round.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from proctor.db.base import utcnow
from proctor.db.session import session_scope
from proctor.oversight.cutoffs import Rules
from proctor.oversight.models import NoticeSent
from proctor.oversight.notice_service import due_notices
from proctor.oversight.notifier import Notifier
from proctor.oversight.recipients import recipients

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DispatchRules:
    """What a round looks at."""

    rules: Rules
    horizon_working_days: int
    since_days: int


def dispatch_once(session_factory: sessionmaker[Session], notifier: Notifier,
                  rules: DispatchRules, now: datetime | None = None) -> int:
    """One round (see the module docstring); returns how many notices were sent."""
    with session_scope(session_factory) as db:
        listed = due_notices(db, None, rules.rules, rules.horizon_working_days, now,
                             rules.since_days)
        keys = [notice.key for notice in listed.notices]
        sent = set(db.scalars(select(NoticeSent.key).where(NoticeSent.key.in_(keys))))
    if listed.deadlines_unavailable:
        logger.warning("batch deadlines not notified: %s", listed.deadlines_unavailable)
    count = 0
    for notice in listed.notices:
        if notice.key in sent:
            continue
        with session_scope(session_factory) as db:
            notifier.send(notice, recipients(db, notice))
            db.add(NoticeSent(key=notice.key, sent_at=now or utcnow()))
        count += 1
    return count


async def dispatch_forever(session_factory: sessionmaker[Session], notifier: Notifier,
                           rules: DispatchRules, interval_s: float) -> None:
    """A round every ``interval_s`` (the first after one interval, so a starting server is
    not loaded at once), until cancelled."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            sent = await asyncio.to_thread(dispatch_once, session_factory, notifier, rules)
        except Exception:  # noqa: BLE001 - the next round tries again
            logger.exception("notice dispatch failed")
        else:
            if sent:
                logger.info("notices handed to the notifier", extra={"notices": sent})
