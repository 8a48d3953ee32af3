"""Export an evidence package: the clip, the original segments, and a manifest tying them to
the hash chain, the store versions and their retention, signed by the service's key."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from proctor.db.models import Camera, Segment
from proctor.recording.archive import Archive, covering_segments
from proctor.recording.evidence_format import (
    FORMAT,
    MANIFEST,
    MANIFEST_DIGEST,
    MANIFEST_SIGNATURE,
    README,
    README_TEXT,
    Member,
    file_chunks,
    sha256_hex,
    write_canonical_zip,
)
from proctor.recording.signing import EvidenceSigner
from proctor.recording.store import StorageError


@dataclass(frozen=True)
class ExportRequest:
    """What to export and for whom."""

    camera: Camera
    from_ms: int
    to_ms: int
    exported_by: str
    reason: str


class EvidenceSourceError(StorageError):
    """Stored footage does not match what was recorded of it: nothing is exported."""


def write_package(db: Session, archive: Archive, request: ExportRequest, target: Path,
                  signer: EvidenceSigner) -> int:
    """Write the package (canonical, see :mod:`evidence_format`) to ``target`` atomically,
    streaming: memory holds one segment at a time. Returns its size in bytes. Each
    segment read from the store is checked against its recorded SHA-256 first; the
    manifest is signed with ``signer``."""
    camera = request.camera
    clip_path = archive.clip(db, camera.id, request.from_ms, request.to_ms)
    # listed in chain order (acceptance order), so the links verify even when a segment was
    # accepted out of time order (a re-upload after an outage, say)
    segments = sorted(covering_segments(db, camera.id, request.from_ms, request.to_ms),
                      key=lambda segment: segment.id)
    clip_digest = hashlib.sha256()

    def members() -> Iterator[Member]:
        clip_size = clip_path.stat().st_size
        yield Member("clip.mp4", clip_size, file_chunks(clip_path, clip_digest))
        for segment in segments:
            yield Member(f"segments/{segment.start_ms}.ts", segment.size,
                         [_stored_segment(archive, segment)])
        manifest = _manifest(request, archive.store.bucket, segments,
                             {"file": "clip.mp4", "sha256": clip_digest.hexdigest(),
                              "size": clip_size})
        readme = README_TEXT.format(format=FORMAT).encode()
        manifest["readme"] = {"file": README, "sha256": sha256_hex(readme)}
        manifest["signing_key"] = signer.public.as_dict()
        manifest_bytes = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
        digest_line = (sha256_hex(manifest_bytes) + "\n").encode()
        signature_line = (signer.sign(manifest_bytes) + "\n").encode()
        for name, data in ((MANIFEST, manifest_bytes), (MANIFEST_DIGEST, digest_line),
                           (MANIFEST_SIGNATURE, signature_line), (README, readme)):
            yield Member(name, len(data), [data])

    partial = target.with_name(target.name + ".partial")
    try:
        with partial.open("wb") as out:
            write_canonical_zip(out, members())
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def _stored_segment(archive: Archive, segment: Segment) -> bytes:
    data = archive.read(segment)
    if sha256_hex(data) != segment.sha256:
        raise EvidenceSourceError(
            f"segment {segment.object_key} (version {segment.version_id}) in the store does "
            "not match its recorded SHA-256: run `proctor archive verify` and report it")
    return data


def _manifest(request: ExportRequest, bucket: str, segments: list[Segment],
              clip: dict[str, object]) -> dict[str, object]:
    camera = request.camera
    return {
        "format": FORMAT,
        "camera": {"id": camera.id, "name": camera.name, "room": camera.room.name,
                   "site": camera.room.site.name},
        "window": {"from_ms": request.from_ms, "to_ms": request.to_ms},
        "exported_by": request.exported_by,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "reason": request.reason,
        "store": {"bucket": bucket},
        "clip": clip,
        "segments": [{
            "file": f"segments/{segment.start_ms}.ts", "start_ms": segment.start_ms,
            "end_ms": segment.end_ms, "sha256": segment.sha256, "size": segment.size,
            "object_key": segment.object_key, "version_id": segment.version_id,
            "retain_until": segment.retain_until.isoformat(), "prev_hash": segment.prev_hash,
            "chain_hash": segment.chain_hash,
        } for segment in segments],
    }
