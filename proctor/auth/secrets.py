"""Password hashing (scrypt) and high-entropy bearer tokens stored only as SHA-256."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**15, 8, 1
DEVICE_TOKEN_PREFIX = "pdt"
MAX_ROW_ID = 2**63 - 1  # the largest row id the databases hold
MAX_ID_DIGITS = 100  # a longer id is no token (and int() refuses over 4300 digits)
SESSION_TOKEN_PREFIX = "pst"


def hash_password(password: str) -> str:
    """Return ``scrypt$N$r$p$salt$hash`` for storage."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, maxmem=64 * 1024 * 1024
    )
    b64 = base64.b64encode
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Check a password against :func:`hash_password` output in constant time."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(
        password.encode(),
        salt=base64.b64decode(salt),
        n=int(n),
        r=int(r),
        p=int(p),
        maxmem=64 * 1024 * 1024,
    )
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def hash_token(secret: str) -> str:
    """SHA-256 of a random token; enough for 256-bit secrets, and fast to look up."""
    return hashlib.sha256(secret.encode()).hexdigest()


def hash_session_token(token: str, key: bytes) -> str:
    """HMAC-SHA256 of a session token under the server secret: a leaked database (or backup)
    does not let anyone forge or replay console sessions without the key as well."""
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def new_session_token() -> str:
    """A fresh console session token."""
    return f"{SESSION_TOKEN_PREFIX}_{secrets.token_urlsafe(32)}"


@dataclass(frozen=True)
class DeviceToken:
    """``pdt_<device id>_<secret>``: the id finds the device, the secret proves it."""

    device_id: int
    secret: str

    def __str__(self) -> str:
        return f"{DEVICE_TOKEN_PREFIX}_{self.device_id}_{self.secret}"

    @classmethod
    def generate(cls, device_id: int) -> DeviceToken:
        """A new random token for ``device_id``."""
        return cls(device_id=device_id, secret=secrets.token_urlsafe(32))

    @classmethod
    def parse(cls, text: str) -> DeviceToken | None:
        """Parse a presented token; ``None`` if it is not shaped like one."""
        prefix, _, rest = text.partition("_")
        device_id, _, secret = rest.partition("_")
        if prefix != DEVICE_TOKEN_PREFIX or not (device_id.isascii() and device_id.isdigit()) \
                or len(device_id) > MAX_ID_DIGITS or len(secret) < 32:
            return None
        return cls(device_id=int(device_id), secret=secret)

    def matches(self, stored_hash: str) -> bool:
        """Constant-time comparison with the stored hash."""
        return hmac.compare_digest(hash_token(self.secret), stored_hash)
