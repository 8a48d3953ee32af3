"""The oversight wing's background tasks, started by the server's lifespan: the notice
dispatcher and the coverage aggregate's refresh."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from proctor.oversight.coverage_totals import refresh_forever
from proctor.oversight.cutoffs import Rules
from proctor.oversight.dispatch import DispatchRules, dispatch_forever
from proctor.oversight.notifier import Notifier
from proctor.oversight.settings import OversightSettings


def start_background(session_factory: sessionmaker[Session], settings: OversightSettings,
                     rules: Rules, notifier: Notifier) -> list[asyncio.Task[None]]:
    """Start both rounds; cancel the tasks returned to stop them."""
    dispatch = DispatchRules(rules, settings.notice_horizon_working_days,
                             settings.notice_since_days)
    return [
        asyncio.create_task(dispatch_forever(session_factory, notifier, dispatch,
                                             settings.notice_interval_seconds),
                            name="oversight-notices"),
        asyncio.create_task(refresh_forever(session_factory,
                                            timedelta(hours=settings.coverage_settle_hours),
                                            settings.coverage_refresh_seconds),
                            name="oversight-coverage"),
    ]
