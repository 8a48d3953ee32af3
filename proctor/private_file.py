"""Owner-only state on disk: folders 0700 and files 0600, whatever the umask.

The database (password and token hashes, the audit log), signing keys, clips and spooled
footage must not be readable by other local users. Every state folder is made with
:func:`private_dir`, every secret file with :func:`create_private_file` (once, never
replaced) or :func:`write_private_file` (replaced atomically).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import BinaryIO

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` and its missing parents owner-only (0700, whatever the umask); ``path``.

    A folder that exists is left as it is: it may be shared (``/tmp``, a mount), and what
    matters inside it is made owner-only itself."""
    missing = []
    folder = path
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    for created in missing:
        created.chmod(DIR_MODE)  # mkdir's mode is masked by the umask
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty (0600) unless it exists, and make it owner-only; ``path``.

    For files a library then opens with the umask's mode (SQLite: its ``-wal`` and ``-shm``
    files copy the database file's mode)."""
    private_dir(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    if path.stat().st_uid == os.geteuid():  # an old install's 0644 file too, if it is ours
        path.chmod(FILE_MODE)
    return path


def open_private(path: Path) -> BinaryIO:
    """A new file at ``path`` (must not exist), mode 0600 whatever the umask, for writing."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    os.fchmod(descriptor, FILE_MODE)
    return os.fdopen(descriptor, "wb")


def _private_temporary(path: Path, data: bytes) -> Path:
    """``data`` in a fresh owner-only temporary file beside ``path``, flushed to disk."""
    private_dir(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(8)}")
    try:
        with open_private(temporary) as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def create_private_file(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` unless it exists; whether this call created it.

    The bytes go to a fresh temporary file (mode 0600, ``O_EXCL``) in the same folder, are
    flushed to disk, then linked into place. If another process created ``path`` meanwhile
    the link fails and that file is kept: a key in use must never be replaced, so the caller
    reads the file back when this returns ``False``.
    """
    temporary = _private_temporary(path, data)
    try:
        os.link(temporary, path)
    except FileExistsError:
        return False
    finally:
        temporary.unlink(missing_ok=True)
    return True


def write_private_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (mode 0600), replacing it atomically if it exists."""
    os.replace(_private_temporary(path, data), path)
