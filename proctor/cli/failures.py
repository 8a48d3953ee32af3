"""One clear line, never a traceback, when the CLI cannot reach what it needs.

Every ``proctor`` command runs inside :func:`plain_failures`: a database that cannot be
opened, an object store that is missing, unreachable or refuses the keys, invalid settings,
any domain error (:class:`~proctor.errors.ProctorError`) and a number too large for the
database end the command with one line on stderr saying what to do, and exit status 2.
Programming errors still show a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
import urllib3
from minio.error import S3Error
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from proctor.auth.secrets import MAX_ROW_ID
from proctor.errors import ProctorError

EXIT_UNAVAILABLE = 2
KEY_REFUSALS = frozenset({"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"})
SETTINGS_HINT = ("point the CLI at the server's settings: PROCTOR_CONFIG_FILE, or "
                 "PROCTOR_DATA_DIR / PROCTOR_DATABASE_URL / PROCTOR_S3_*; while scripts/demo "
                 "runs, `export PROCTOR_CONFIG_FILE=var/demo/proctor.toml`")


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def database_failure(error: DBAPIError) -> str:
    """The line for a database that cannot be opened, reached or used (locked, gone)."""
    return (f"the database cannot be used ({_first_line(error.orig or error)}): check that it "
            f"runs and that the CLI uses the server's database; {SETTINGS_HINT}")


def store_failure(error: urllib3.exceptions.HTTPError) -> str:
    """The line for an object store that does not answer."""
    where, reason = "", _first_line(error)
    if isinstance(error, urllib3.exceptions.MaxRetryError):
        where = f" at {error.pool.host}:{error.pool.port}" if error.pool else ""
        reason = _first_line(error.reason) if error.reason else reason
    return (f"the object store{where} cannot be reached ({reason}): start it, or "
            f"{SETTINGS_HINT}")


def store_refusal(error: S3Error) -> str:
    """The line for a store that answered with an S3 error (wrong keys, no bucket)."""
    return (f"the object store refused: {error.code}: {error.message}; check "
            f"PROCTOR_S3_ACCESS_KEY, PROCTOR_S3_SECRET_KEY and PROCTOR_S3_BUCKET, or "
            f"{SETTINGS_HINT}")


def settings_failure(error: ValidationError) -> str:
    """The line for settings that do not validate (a bad ``PROCTOR_*`` value)."""
    problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}"
                         for e in error.errors())
    return f"invalid settings: {problems}: correct the PROCTOR_* variable or the config file"


def failure_line(error: Exception) -> str | None:
    """What to print for ``error``, or ``None`` when it is not a failure of the
    environment (then the traceback is the useful output)."""
    cause = error.__cause__
    if isinstance(cause, S3Error) and cause.code in KEY_REFUSALS:  # wrapped by the store
        return store_refusal(cause)
    if isinstance(error, ProctorError):
        return str(error)
    if isinstance(error, OverflowError):  # the database cannot even bind the number
        return (f"a number given is too large ({_first_line(error)}): ids run from 1 to "
                f"{MAX_ROW_ID}")
    if isinstance(error, OperationalError | InterfaceError):  # not a constraint: a bug
        return database_failure(error)
    if isinstance(error, urllib3.exceptions.HTTPError):
        return store_failure(error)
    if isinstance(error, S3Error):
        return store_refusal(error)
    if isinstance(error, ValidationError):
        return settings_failure(error)
    if isinstance(error, OSError) and error.filename:  # a state folder or file
        return f"{error.strerror}: {error.filename}"
    return None


@contextmanager
def plain_failures() -> Iterator[None]:
    """Run a command; an environment failure becomes one red line and exit status 2."""
    try:
        yield
    except Exception as error:
        line = failure_line(error)
        if line is None:
            raise
        typer.secho(f"error: {line}", fg=typer.colors.RED, err=True)
        raise SystemExit(EXIT_UNAVAILABLE) from error
