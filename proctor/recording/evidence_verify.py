"""``proctor archive verify-evidence``: check a package offline (no server, no store).

Uses the standard library, the chain rule and ``cryptography`` (for the Ed25519 signature),
so it can run years later anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import json
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, TypeAlias

from proctor.recording.chain import ChainRecord, first_break
from proctor.recording.evidence_format import (
    CHUNK_BYTES,
    FORMAT,
    FORMATS_READ,
    MANIFEST,
    MANIFEST_DIGEST,
    MANIFEST_SIGNATURE,
    README,
    Member,
    sha256_hex,
    write_canonical_zip,
)
from proctor.recording.retention import MIN_RETENTION_YEARS, add_years
from proctor.recording.signing import ALGORITHM, fingerprint, signature_valid

UntrustedManifest: TypeAlias = dict[str, Any]
"""``manifest.json`` as read from a package: a JSON object not yet known to have any field or
shape (a damaged or forged package can hold anything); each check looks up what it needs."""


class EvidenceInvalid(Exception):
    """The package is not intact; the message says exactly what failed."""


@dataclass(frozen=True)
class EvidenceSummary:
    """What an intact package contains."""

    camera: str
    segments: int
    from_ms: int
    to_ms: int
    exported_by: str
    exported_at: str
    first_prev_hash: str
    last_chain_hash: str
    signed_by: str | None  # fingerprint of the signing key; None for unsigned (format 1)


# a damaged header can make zipfile raise almost anything (bad CRC, "encrypted" flag,
# unknown compression, truncated data, sizes that do not add up): all of it means the
# package is not intact
_UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, RuntimeError,
               NotImplementedError, EOFError, KeyError, UnicodeDecodeError)
_SMALL_MEMBERS = (MANIFEST, MANIFEST_DIGEST, MANIFEST_SIGNATURE)
MAX_MANIFEST_BYTES = 64 << 20  # a manifest lists segments: megabytes for years of footage


def _read_members(path: Path) -> tuple[dict[str, str], dict[str, bytes]]:
    """Every member's SHA-256, and the manifest files' bytes; checks on the way that the
    file is byte for byte the canonical zip of its members (rebuilt into a temporary file
    as large as the package: memory holds one chunk, whatever the package's size)."""
    digests: dict[str, str] = {}
    small: dict[str, bytes] = {}

    def chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
        if info.filename in _SMALL_MEMBERS and info.file_size > MAX_MANIFEST_BYTES:
            raise EvidenceInvalid(f"{info.filename} is {info.file_size} bytes: not a manifest")
        digest, kept = hashlib.sha256(), []
        with archive.open(info) as member:  # checks the CRC at the end
            while chunk := member.read(CHUNK_BYTES):
                digest.update(chunk)
                if info.filename in _SMALL_MEMBERS:
                    kept.append(chunk)
                yield chunk
        digests[info.filename] = digest.hexdigest()
        if info.filename in _SMALL_MEMBERS:
            small[info.filename] = b"".join(kept)

    try:
        with zipfile.ZipFile(path) as archive, tempfile.TemporaryFile() as rebuilt:
            names = [info.filename for info in archive.infolist()]
            repeated = sorted({name for name in names if names.count(name) > 1})
            if repeated:  # readers differ on which copy they show: one could be fake
                raise EvidenceInvalid(f"files stored twice: {', '.join(repeated)}")
            write_canonical_zip(rebuilt, (Member(info.filename, info.file_size,
                                                 chunks(archive, info))
                                          for info in archive.infolist()))
            rebuilt.seek(0)
            canonical = _same_bytes(rebuilt, path)
    except _UNREADABLE as error:
        raise EvidenceInvalid(f"not a readable zip: {error}") from error
    if not canonical:
        raise EvidenceInvalid("zip structure differs from the canonical package "
                              "(headers, order or extra bytes were changed)")
    return digests, small


def _same_bytes(rebuilt: BinaryIO, path: Path) -> bool:
    with path.open("rb") as original:
        while True:
            expected, actual = rebuilt.read(CHUNK_BYTES), original.read(CHUNK_BYTES)
            if expected != actual:
                return False
            if not expected:
                return True


def verify_evidence(path: Path, key_fingerprint: str | None = None,
                    allow_unsigned: bool = False) -> EvidenceSummary:
    """Check every byte of the package and its signature (and that the signing key is the
    one with ``key_fingerprint``, if given); raises :class:`EvidenceInvalid` with the
    reason. An unsigned (format 1) package passes only with ``allow_unsigned``."""
    digests, files = _read_members(path)
    manifest_bytes = files.get(MANIFEST)
    if manifest_bytes is None or MANIFEST_DIGEST not in files:
        raise EvidenceInvalid("manifest.json or its digest is missing")
    if files[MANIFEST_DIGEST].decode().strip() != sha256_hex(manifest_bytes):
        raise EvidenceInvalid("manifest.json does not match manifest.json.sha256")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError as error:
        raise EvidenceInvalid(f"manifest.json is not valid JSON: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") not in FORMATS_READ:
        raise EvidenceInvalid(f"unknown format {manifest.get('format')!r}")
    signed_by = _check_signature(manifest, manifest_bytes, files.get(MANIFEST_SIGNATURE),
                                 key_fingerprint, allow_unsigned)
    covered = [manifest["clip"], *manifest["segments"]]
    if signed_by is not None:  # format 2 binds the README too: its instructions are evidence
        if not isinstance(manifest.get("readme"), dict):
            raise EvidenceInvalid("the manifest does not list README.txt")
        covered.append(manifest["readme"])
    listed = {entry["file"]: entry["sha256"] for entry in covered}
    unlisted = set(digests) - set(listed) - {MANIFEST, MANIFEST_DIGEST, MANIFEST_SIGNATURE,
                                             README}
    if unlisted:
        raise EvidenceInvalid(f"files not listed in the manifest: {', '.join(sorted(unlisted))}")
    for name, expected in listed.items():
        if name not in digests:
            raise EvidenceInvalid(f"{name} is listed in the manifest but missing")
        if digests[name] != expected:
            raise EvidenceInvalid(f"{name} does not match its SHA-256 in the manifest")
    _check_chain(manifest)
    return EvidenceSummary(
        camera=f"{manifest['camera']['site']} / {manifest['camera']['room']} / "
               f"{manifest['camera']['name']} (id {manifest['camera']['id']})",
        segments=len(manifest["segments"]), from_ms=manifest["window"]["from_ms"],
        to_ms=manifest["window"]["to_ms"], exported_by=manifest["exported_by"],
        exported_at=manifest["exported_at"],
        first_prev_hash=manifest["segments"][0]["prev_hash"],
        last_chain_hash=manifest["segments"][-1]["chain_hash"], signed_by=signed_by)


def _check_signature(manifest: UntrustedManifest, manifest_bytes: bytes,
                     signature: bytes | None, key_fingerprint: str | None,
                     allow_unsigned: bool) -> str | None:
    """The fingerprint of the key that signed the manifest (None: an unsigned format 1
    package, accepted only when allowed and no key is required)."""
    if manifest["format"] != FORMAT and signature is None:
        if key_fingerprint is not None or not allow_unsigned:
            raise EvidenceInvalid("the package is unsigned (format 1): it cannot show which "
                                  "service exported it (--allow-unsigned checks its "
                                  "integrity only)")
        return None
    key = manifest.get("signing_key")
    if signature is None or not isinstance(key, dict):
        raise EvidenceInvalid("the manifest signature or the signing key is missing")
    try:
        raw_key = base64.b64decode(key["public_key"], validate=True)
    except (KeyError, TypeError, ValueError) as error:
        raise EvidenceInvalid(f"the signing key in the manifest is not readable: {error}") \
            from error
    if key.get("algorithm") != ALGORITHM or fingerprint(raw_key) != key.get("fingerprint"):
        raise EvidenceInvalid("the signing key in the manifest does not match its fingerprint")
    if not signature_valid(manifest_bytes, signature.decode("ascii", "replace").strip(),
                           key["public_key"]):
        raise EvidenceInvalid("the manifest signature is not valid: manifest.json was changed "
                              "or not signed by the key it names")
    if key_fingerprint is not None and key["fingerprint"] != key_fingerprint.strip().lower():
        raise EvidenceInvalid(f"signed by key {key['fingerprint']}, not by the expected "
                              f"{key_fingerprint}")
    return str(key["fingerprint"])


def _check_chain(manifest: UntrustedManifest) -> None:
    segments = manifest["segments"]
    if not segments:
        raise EvidenceInvalid("the package holds no segment")
    records = [ChainRecord(manifest["camera"]["id"], s["start_ms"], s["end_ms"], s["sha256"],
                           s["object_key"], s["version_id"], s["prev_hash"], s["chain_hash"])
               for s in segments]
    broken = first_break(records, expected_prev=records[0].prev_hash)
    if broken is not None:
        raise EvidenceInvalid(f"hash chain broken at segment {broken.index} "
                              f"(start {broken.start_ms}): {broken.reason}")
    for segment in segments:
        started = datetime.fromtimestamp(segment["start_ms"] / 1000, UTC)
        retained_until = datetime.fromisoformat(segment["retain_until"])
        if retained_until < add_years(started, MIN_RETENTION_YEARS):
            raise EvidenceInvalid(f"segment {segment['start_ms']} was retained less than "
                                  f"{MIN_RETENTION_YEARS} years")
