"""Time-limited access to single cameras: the grants a batch assignment gives a drawn
supervisor (pure values; the supervision wing builds them, :class:`~proctor.auth.scope.Scope`
combines them with site and region grants).

A :class:`CameraGrant` says: live viewing while a window is open (the session windows
widened by the margin), and the footage of those windows from the first window's start
until ``archive_until`` (the end of the report period). Nothing else: no evidence export,
no scene settings, no other camera.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from proctor.db.models import User


def epoch_ms(moment: datetime) -> int:
    """``moment`` (timezone-aware) as milliseconds since the epoch."""
    return round(moment.timestamp() * 1000)


@dataclass(frozen=True, order=True)
class Window:
    """A span of time, start included, end excluded; both timezone-aware."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a window needs timezone-aware times")
        if self.end <= self.start:
            raise ValueError(f"a window must end after it starts: {self}")

    def __str__(self) -> str:
        return f"{_iso(self.start)}/{_iso(self.end)}"

    def contains(self, at: datetime) -> bool:
        """Whether ``at`` falls within the window."""
        return self.start <= at < self.end

    def covers_ms(self, start_ms: int, end_ms: int) -> bool:
        """Whether the footage range ``start_ms..end_ms`` (epoch ms) lies within the window."""
        return epoch_ms(self.start) <= start_ms and end_ms <= epoch_ms(self.end)

    def widened(self, margin: timedelta) -> Window:
        """The window with ``margin`` added on both sides."""
        return Window(self.start - margin, self.end + margin)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def merge_windows(windows: Iterable[Window]) -> tuple[Window, ...]:
    """The windows sorted, with overlapping or touching ones joined into one."""
    merged: list[Window] = []
    for window in sorted(windows):
        if merged and window.start <= merged[-1].end:
            last = merged.pop()
            window = Window(last.start, max(last.end, window.end))
        merged.append(window)
    return tuple(merged)


@dataclass(frozen=True)
class CameraGrant:
    """Access to one camera for a limited time (see the module docstring)."""

    camera_id: int
    windows: tuple[Window, ...]  # merged, sorted, non-empty
    archive_until: datetime
    source: str  # what gave it, for messages and logs: "batch 3"

    def __post_init__(self) -> None:
        if not self.windows:
            raise ValueError("a camera grant needs at least one window")
        object.__setattr__(self, "windows", merge_windows(self.windows))

    def live_at(self, at: datetime) -> Window | None:
        """The window open for live viewing at ``at``, if any."""
        return next((w for w in self.windows if w.contains(at)), None)

    def archive_open_at(self, at: datetime) -> bool:
        """Whether the footage of the windows may be opened at ``at``."""
        return self.windows[0].start <= at <= self.archive_until


# A source of camera grants for a user, read from the database (the supervision wing's
# assignments); the composition root passes the sources to :func:`~proctor.auth.scope.load_scope`.
GrantSource = Callable[[Session, User], Iterable[CameraGrant]]
