"""Export an evidence package: the clip, the original segments, and a manifest tying them to
the hash chain, the store versions and their retention."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from proctor.db.models import Camera
from proctor.recording.archive import Archive, covering_segments
from proctor.recording.evidence_format import (
    FORMAT, MANIFEST, MANIFEST_DIGEST, README, README_TEXT, canonical_zip, sha256_hex,
)


@dataclass(frozen=True)
class ExportRequest:
    """What to export and for whom."""

    camera: Camera
    from_ms: int
    to_ms: int
    exported_by: str
    reason: str


def build_package(db: Session, archive: Archive, request: ExportRequest) -> bytes:
    """The zip bytes of the package (canonical, see :mod:`evidence_format`)."""
    camera = request.camera
    clip_path = archive.clip(db, camera.id, request.from_ms, request.to_ms)
    clip = clip_path.read_bytes()
    # listed in chain order (acceptance order), so the links verify even when a segment was
    # accepted out of time order (a re-upload after an outage, say)
    segments = sorted(covering_segments(db, camera.id, request.from_ms, request.to_ms),
                      key=lambda segment: segment.id)
    members: list[tuple[str, bytes]] = [("clip.mp4", clip)]
    entries = []
    for segment in segments:
        name = f"segments/{segment.start_ms}.ts"
        data = archive.store.read(segment.object_key, segment.version_id)
        members.append((name, data))
        entries.append({
            "file": name, "start_ms": segment.start_ms, "end_ms": segment.end_ms,
            "sha256": segment.sha256, "size": segment.size, "object_key": segment.object_key,
            "version_id": segment.version_id, "retain_until": segment.retain_until.isoformat(),
            "prev_hash": segment.prev_hash, "chain_hash": segment.chain_hash,
        })
    manifest = {
        "format": FORMAT,
        "camera": {"id": camera.id, "name": camera.name, "room": camera.room.name,
                   "site": camera.room.site.name},
        "window": {"from_ms": request.from_ms, "to_ms": request.to_ms},
        "exported_by": request.exported_by,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "reason": request.reason,
        "store": {"bucket": archive.store.bucket},
        "clip": {"file": "clip.mp4", "sha256": sha256_hex(clip), "size": len(clip)},
        "segments": entries,
    }
    manifest_bytes = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
    members += [(MANIFEST, manifest_bytes),
                (MANIFEST_DIGEST, (sha256_hex(manifest_bytes) + "\n").encode()),
                (README, README_TEXT.format(format=FORMAT).encode())]
    return canonical_zip(members)


def write_package(path: Path, package: bytes) -> None:
    """Write atomically (temp file, then rename)."""
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(package)
    partial.rename(path)
