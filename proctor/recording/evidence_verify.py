"""``proctor archive verify-evidence``: check a package offline (no server, no store).

Uses only the standard library and the chain rule, so it can run years later anywhere.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from proctor.recording.chain import ChainRecord, first_break
from proctor.recording.evidence_format import (
    FORMAT, MANIFEST, MANIFEST_DIGEST, README, canonical_zip, sha256_hex,
)
from proctor.recording.retention import MIN_RETENTION_YEARS, add_years


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


def _members(raw: bytes) -> list[tuple[str, bytes]]:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return [(info.filename, archive.read(info)) for info in archive.infolist()]
    # a damaged header can make zipfile raise almost anything (bad CRC, "encrypted" flag,
    # unknown compression, truncated data): all of it means the package is not intact
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, RuntimeError,
            NotImplementedError, EOFError, KeyError, UnicodeDecodeError) as error:
        raise EvidenceInvalid(f"not a readable zip: {error}") from error


def verify_evidence(path: Path) -> EvidenceSummary:
    """Check every byte of the package; raises :class:`EvidenceInvalid` with the reason."""
    raw = path.read_bytes()
    members = _members(raw)
    if canonical_zip(members) != raw:
        raise EvidenceInvalid("zip structure differs from the canonical package "
                              "(headers, order or extra bytes were changed)")
    files = dict(members)
    manifest_bytes = files.get(MANIFEST)
    if manifest_bytes is None or MANIFEST_DIGEST not in files:
        raise EvidenceInvalid("manifest.json or its digest is missing")
    if files[MANIFEST_DIGEST].decode().strip() != sha256_hex(manifest_bytes):
        raise EvidenceInvalid("manifest.json does not match manifest.json.sha256")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError as error:
        raise EvidenceInvalid(f"manifest.json is not valid JSON: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise EvidenceInvalid(f"unknown format {manifest.get('format')!r}")
    listed = {entry["file"]: entry["sha256"] for entry in [manifest["clip"], *manifest["segments"]]}
    unlisted = set(files) - set(listed) - {MANIFEST, MANIFEST_DIGEST, README}
    if unlisted:
        raise EvidenceInvalid(f"files not listed in the manifest: {', '.join(sorted(unlisted))}")
    for name, expected in listed.items():
        if name not in files:
            raise EvidenceInvalid(f"{name} is listed in the manifest but missing")
        if sha256_hex(files[name]) != expected:
            raise EvidenceInvalid(f"{name} does not match its SHA-256 in the manifest")
    _check_chain(manifest)
    return EvidenceSummary(
        camera=f"{manifest['camera']['site']} / {manifest['camera']['room']} / "
               f"{manifest['camera']['name']} (id {manifest['camera']['id']})",
        segments=len(manifest["segments"]), from_ms=manifest["window"]["from_ms"],
        to_ms=manifest["window"]["to_ms"], exported_by=manifest["exported_by"],
        exported_at=manifest["exported_at"],
        first_prev_hash=manifest["segments"][0]["prev_hash"],
        last_chain_hash=manifest["segments"][-1]["chain_hash"])


def _check_chain(manifest: dict) -> None:  # type: ignore[type-arg]
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
        if datetime.fromisoformat(segment["retain_until"]) < add_years(started, MIN_RETENTION_YEARS):
            raise EvidenceInvalid(f"segment {segment['start_ms']} was retained less than "
                                  f"{MIN_RETENTION_YEARS} years")
