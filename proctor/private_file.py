"""Create a secret file once, atomically, owner-only: concurrent creators share one."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def create_private_file(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` unless it exists; whether this call created it.

    The bytes go to a fresh temporary file (mode 0600, ``O_EXCL``) in the same folder, are
    flushed to disk, then linked into place. If another process created ``path`` meanwhile
    the link fails and that file is kept: a key in use must never be replaced, so the caller
    reads the file back when this returns ``False``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.link(temporary, path)
    except FileExistsError:
        return False
    finally:
        temporary.unlink(missing_ok=True)
    return True
