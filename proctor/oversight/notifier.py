"""The hook for mail or SMS: a :class:`Notifier` is handed each newly due notice with its
recipients. :class:`LoggingNotifier` only logs, as one structured line, what would be sent
to whom: the notice's key, subject, step, stage and deadline and the recipients' user ids.
A notice holds no personal data (no complainant, contact or text), so neither does the log.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from proctor.db.models import Role
from proctor.oversight.notices import Notice

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    """A console user a notice is for."""

    user_id: int
    role: Role


class Notifier(Protocol):
    """Delivers a notice (mail, SMS, ...). Raising leaves the notice unsent: it is handed
    over again on the next round."""

    def send(self, notice: Notice, recipients: Sequence[Recipient]) -> None:
        """Deliver ``notice`` to ``recipients``."""


class LoggingNotifier:
    """Logs what would be sent (the default until a mail or SMS gateway is configured)."""

    def send(self, notice: Notice, recipients: Sequence[Recipient]) -> None:
        """Log one line naming the notice and its recipients."""
        logger.info("notice would be sent: %s", notice.message(), extra={
            "notice_key": notice.key, "subject": notice.subject.value,
            "subject_id": notice.subject_id, "step": notice.step.value,
            "stage": notice.stage.value, "due": notice.due.isoformat(),
            "district_code": notice.district_code, "channels": ["mail", "sms"],
            "recipient_user_ids": [r.user_id for r in recipients]})
