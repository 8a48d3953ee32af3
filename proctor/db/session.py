"""Engine and session factory, built from settings (never at import time)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from proctor.private_file import private_dir, private_file

# What a request value the database cannot hold raises: SQLite cannot bind an integer past
# 64 bits (OverflowError), PostgreSQL refuses out-of-range or malformed data (DataError),
# and neither driver can encode a text with a lone surrogate (UnicodeEncodeError).
UNSTORABLE_VALUE_ERRORS: tuple[type[Exception], ...] = (OverflowError, DataError,
                                                        UnicodeEncodeError)
# What a request meets when the database is away (PostgreSQL stopped or restarting, its
# network cut, SQLite locked past its timeout) or too busy (every pooled connection in use
# past the pool's timeout: a request storm): the transaction is rolled back, so nothing of
# the request was stored; it can be sent again once the database answers.
DATABASE_UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError,
                                                            PoolTimeout)
DATABASE_RETRY_AFTER_S = 5


def prepare_sqlite_file(url: str) -> None:
    """Create a SQLite database's folder (0700) and file (0600) before SQLite does: it would
    use the umask's 0644, and its -wal and -shm files copy the database file's mode. The
    database holds password and token hashes and the audit log."""
    path = Path(url.removeprefix("sqlite:///"))
    private_dir(path.parent)
    private_file(path)


def create_db_engine(url: str) -> Engine:
    """Create an engine; SQLite gets its file created owner-only (:func:`prepare_sqlite_file`),
    WAL mode and foreign keys enforced."""
    if url.startswith("sqlite:///"):
        prepare_sqlite_file(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: DBAPIConnection,
                            _record: ConnectionPoolEntry) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay usable after commit (no expire on commit)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def release_connection(session: Session) -> None:
    """Commit what a request did so far, handing its pooled connection back while the
    request waits on the network (a WebRTC negotiation takes up to seconds; a storm of them
    holding a connection each exhausts the pool). The session opens a new transaction if
    used again."""
    session.commit()
