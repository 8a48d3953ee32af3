"""The evidence package format, shared by the exporter and the offline verifier.

A package is a zip written canonically: members stored (no compression), in a fixed order,
with fixed timestamps and attributes. The verifier rebuilds the zip from its members and
compares the bytes, so a change anywhere in the file (data, headers, directory) is found.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Sequence

FORMAT = "proctor-evidence/1"
MANIFEST = "manifest.json"
MANIFEST_DIGEST = "manifest.json.sha256"
README = "README.txt"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256."""
    return hashlib.sha256(data).hexdigest()


def canonical_zip(members: Sequence[tuple[str, bytes]]) -> bytes:
    """The one byte sequence a package with these members (in this order) may have."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


README_TEXT = """Proctor evidence package ({format})

What is inside
  clip.mp4              the requested footage, remuxed (not re-encoded) from the segments
  segments/*.ts         the original recorded segments, byte for byte as stored
  manifest.json         who exported what and when, every file's SHA-256, each segment's
                        object-store key, version, retention date and hash-chain link
  manifest.json.sha256  SHA-256 of manifest.json

How to verify
  proctor archive verify-evidence THIS.zip      (exit status 0 = intact)
By hand: check manifest.json.sha256 against manifest.json, then every file's "sha256" in the
manifest, then for each segment in order recompute
  chain_hash = sha256(prev_hash|camera_id|start_ms|end_ms|sha256|object_key|version_id)
and check that each prev_hash equals the previous segment's chain_hash.
The first prev_hash and the last chain_hash can be compared with the service's records.
"""
