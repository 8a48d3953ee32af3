"""Notice, at commit, that someone's access changed, so live sessions are checked at once.

Routes no longer have to remember to wake the live-access guard: every session made by the
server's session factory watches what it flushes. When a committed transaction inserted,
deleted or changed a row that decides access (a login ended, a user disabled or moved to
another role, a site grant, a device token rotated, a camera moved), the callback runs once,
after the commit. Bulk ``UPDATE``/``DELETE`` statements on those tables count too.
Changes made by another process (the CLI) are caught by the guard's periodic check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, sessionmaker

from proctor.db.models import Camera, Device, Site, SiteGrant, User, UserSession
from proctor.db.organisations import Organisation, Region, RegionGrant

_CHANGED = "proctor.access_changed"


@dataclass(frozen=True)
class AccessRows:
    """A table whose rows decide access: which column changes matter, and whether adding
    rows widens access (``on_insert``; deleting a row always counts)."""

    model: type[object]
    columns: frozenset[str] = frozenset()
    on_insert: bool = False


ACCESS_ROWS: tuple[AccessRows, ...] = (
    AccessRows(User, frozenset({"is_active", "role"})),
    AccessRows(UserSession),
    AccessRows(SiteGrant, on_insert=True),
    AccessRows(RegionGrant, on_insert=True),
    AccessRows(Region, frozenset({"parent_code"})),
    AccessRows(Organisation, frozenset({"region_code"})),
    AccessRows(Site, frozenset({"organisation_id"})),
    AccessRows(Device, frozenset({"is_active", "token_hash"})),
    AccessRows(Camera, frozenset({"device_id", "room_id"})),
)


def watch_access_changes(factory: sessionmaker[Session], on_change: Callable[[], None],
                         rows: Iterable[AccessRows] = ACCESS_ROWS) -> None:
    """Call ``on_change`` after every commit (of a session from ``factory``) that changed
    one of ``rows``; wings with their own sources of access pass theirs in as well."""
    by_model = {spec.model: spec for spec in rows}

    def after_flush(session: Session, _flush: UOWTransaction) -> None:
        if _flush_changed_access(session, by_model):
            session.info[_CHANGED] = True

    def on_execute(state: ORMExecuteState) -> None:
        mapper = state.bind_mapper
        if (state.is_update or state.is_delete) and mapper is not None \
                and mapper.class_ in by_model:
            state.session.info[_CHANGED] = True

    def after_commit(session: Session) -> None:
        if session.info.pop(_CHANGED, False):
            on_change()

    def after_rollback(session: Session) -> None:
        session.info.pop(_CHANGED, None)  # nothing changed after all

    event.listen(factory, "after_flush", after_flush)
    event.listen(factory, "do_orm_execute", on_execute)
    event.listen(factory, "after_commit", after_commit)
    event.listen(factory, "after_rollback", after_rollback)


def _flush_changed_access(session: Session, by_model: dict[type[object], AccessRows]) -> bool:
    """Whether the flush being finished touched access: deleted or (where it widens access)
    inserted rows, or changed columns that matter."""
    for row in session.deleted:
        if type(row) in by_model:
            return True
    for row in session.new:
        spec = by_model.get(type(row))
        if spec is not None and spec.on_insert:
            return True
    for row in session.dirty:
        spec = by_model.get(type(row))
        if spec is not None and _columns_changed(row, spec.columns):
            return True
    return False


def _columns_changed(row: object, columns: frozenset[str]) -> bool:
    state = inspect(row)
    return any(state.attrs[name].history.has_changes() for name in columns)
