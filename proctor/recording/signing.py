"""The service's evidence signing key (Ed25519).

Every evidence package's manifest is signed, so a package verified offline years later is
known to come from this service, not just to be internally consistent: anyone can build a
consistent package around fake footage, nobody without the key can sign it. The package
carries the public key; the verifier checks the signature with it and prints its
fingerprint, which is compared with the fingerprint the service publishes
(``proctor archive signing-key``, ``GET /api/evidence/signing-key``) or passed as
``--key-fingerprint``.

The private key is a PEM file in the data directory (created on first use, mode 0600).
Back it up with the database; keep the fingerprints of retired keys, since packages
signed with them stay valid.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from proctor.errors import ProctorError
from proctor.private_file import create_private_file

logger = logging.getLogger(__name__)
ALGORITHM = "ed25519"


class SigningKeyError(ProctorError):
    """The signing key file cannot be read or is not an Ed25519 key."""


def fingerprint(public_key: bytes) -> str:
    """How people compare keys: the SHA-256 of the raw public key, hex."""
    return hashlib.sha256(public_key).hexdigest()


@dataclass(frozen=True)
class PublicKeyInfo:
    """What a package says about the key that signed it."""

    algorithm: str
    public_key: str  # base64 of the raw 32-byte key
    fingerprint: str

    def as_dict(self) -> dict[str, str]:
        """For the manifest."""
        return {"algorithm": self.algorithm, "public_key": self.public_key,
                "fingerprint": self.fingerprint}


class EvidenceSigner:
    """Signs manifests with the key in ``path``; with ``create``, a missing key is created
    (the server's first start), otherwise a missing key is an error saying what to do."""

    def __init__(self, path: Path, create: bool = False) -> None:
        self.path = path
        if not path.exists() and not create:
            raise SigningKeyError(f"no evidence signing key at {path}: start the server once "
                                  "(it creates the key), or restore the key from backup")
        self._key = _load(path) if path.exists() else _create(path)
        raw = self._key.public_key().public_bytes(serialization.Encoding.Raw,
                                                  serialization.PublicFormat.Raw)
        self.public = PublicKeyInfo(ALGORITHM, base64.b64encode(raw).decode(), fingerprint(raw))

    def sign(self, data: bytes) -> str:
        """The base64 signature of ``data``."""
        return base64.b64encode(self._key.sign(data)).decode()


def signature_valid(data: bytes, signature_b64: str, public_key_b64: str) -> bool:
    """Whether ``signature_b64`` is the Ed25519 signature of ``data`` by that key."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64, validate=True))
        key.verify(base64.b64decode(signature_b64, validate=True), data)
    except (InvalidSignature, ValueError):
        return False
    return True


def _load(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError, OSError) as error:
        raise SigningKeyError(f"evidence signing key {path} cannot be read ({error}): "
                              "restore it from backup") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{path} is not an Ed25519 key: restore the evidence "
                              "signing key from backup")
    return key


def _create(path: Path) -> Ed25519PrivateKey:
    """A new key, written owner-only to a fresh temporary file, flushed to disk, then linked
    into place: if another process created the key meanwhile, that one is used (a key in
    use must never be replaced)."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    if not create_private_file(path, pem):
        return _load(path)
    raw = key.public_key().public_bytes(serialization.Encoding.Raw,
                                        serialization.PublicFormat.Raw)
    logger.warning("created a new evidence signing key: back it up with the database",
                   extra={"path": str(path), "fingerprint": fingerprint(raw)})
    return key
