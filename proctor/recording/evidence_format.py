"""The evidence package format, shared by the exporter and the offline verifier.

A package is a zip written canonically: members stored (no compression), in a fixed order,
with fixed timestamps and attributes. The verifier rebuilds the zip from its members and
compares the bytes, so a change anywhere in the file (data, headers, directory) is found.
Both sides stream: a four-hour export is gigabytes, and neither the server nor the
verifier's laptop holds it in memory.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

FORMAT = "proctor-evidence/2"  # 2: the manifest is signed (1: unsigned, still verified)
FORMATS_READ = ("proctor-evidence/1", FORMAT)
MANIFEST = "manifest.json"
MANIFEST_DIGEST = "manifest.json.sha256"
MANIFEST_SIGNATURE = "manifest.json.sig"
README = "README.txt"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256."""
    return hashlib.sha256(data).hexdigest()


CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class Member:
    """One file of a package: its name, its size, and its data in chunks (read once)."""

    name: str
    size: int
    chunks: Iterable[bytes]


def write_canonical_zip(target: BinaryIO, members: Iterable[Member]) -> None:
    """Write the one byte sequence a package with these members (in this order) may have to
    ``target``, a seekable file; only one chunk is in memory at a time, so a package can be
    larger than memory."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        for member in members:
            info = zipfile.ZipInfo(member.name, date_time=_FIXED_TIME)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            info.file_size = member.size  # decides zip64 up front, as for a member in memory
            written = 0
            with archive.open(info, "w") as dest:
                for chunk in member.chunks:
                    dest.write(chunk)
                    written += len(chunk)
            if written != member.size:
                raise ValueError(f"{member.name}: {written} bytes written, {member.size} "
                                 "announced")


def file_chunks(path: Path, digest: hashlib._Hash | None = None) -> Iterator[bytes]:
    """The bytes of ``path`` in chunks, fed to ``digest`` on the way if given."""
    with path.open("rb") as source:
        while chunk := source.read(CHUNK_BYTES):
            if digest is not None:
                digest.update(chunk)
            yield chunk


README_TEXT = """Proctor evidence package ({format})

What is inside
  clip.mp4              the requested footage, remuxed (not re-encoded) from the segments
  segments/*.ts         the original recorded segments, byte for byte as stored
  manifest.json         who exported what and when, every file's SHA-256, each segment's
                        object-store key, version, retention date and hash-chain link,
                        and the public key of the service that signed it
  manifest.json.sha256  SHA-256 of manifest.json
  manifest.json.sig     Ed25519 signature of manifest.json by the service's key (base64)

How to verify
  proctor archive verify-evidence THIS.zip --key-fingerprint FINGERPRINT
                        (exit status 0 = intact and signed by that key; the service
                        prints its fingerprint with `proctor archive signing-key`)
By hand: check the signature in manifest.json.sig over manifest.json with the Ed25519 key
in manifest.json "signing_key" (its fingerprint is the SHA-256 of the raw 32-byte key), and
that fingerprint against the service's; check manifest.json.sha256, then every file's
"sha256" in the manifest, then for each segment in order recompute
  chain_hash = sha256(prev_hash|camera_id|start_ms|end_ms|sha256|object_key|version_id)
and check that each prev_hash equals the previous segment's chain_hash.
The first prev_hash and the last chain_hash can be compared with the service's records.
"""
