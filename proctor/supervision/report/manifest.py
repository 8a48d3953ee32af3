"""The clip manifest attached to the report: every clip with its camera, range and hashes.

The manifest is canonical JSON (sorted keys, no spaces, UTF-8), so the SHA-256 printed in
the report identifies the attached file exactly.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from proctor.supervision.report.content import SupervisionReport
from proctor.supervision.report.text import BEIJING

FORMAT = "proctor-report-clips/1"
ATTACHMENT_NAME = "clips.json"


@dataclass(frozen=True)
class ManifestSummary:
    """What the report prints about its attached manifest."""

    clips: int
    cameras: int
    segments: int
    sha256: str


def clip_manifest(report: SupervisionReport) -> bytes:
    """The manifest of ``report``'s clips as canonical JSON bytes."""
    document = {
        "format": FORMAT,
        "report_number": report.header.report_number,
        "version": report.version,
        "clips": [{"finding": number, "camera_id": clip.camera_id, "camera": clip.camera,
                   "start": clip.start.astimezone(BEIJING).isoformat(),
                   "end": clip.end.astimezone(BEIJING).isoformat(),
                   "segments": clip.segments}
                  for number, clip in report.clips()],
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode()


def summarise(report: SupervisionReport, manifest: bytes) -> ManifestSummary:
    """Counts over ``report``'s clips and the SHA-256 of its ``manifest`` bytes."""
    clips = [clip for _, clip in report.clips()]
    return ManifestSummary(clips=len(clips), cameras=len({c.camera_id for c in clips}),
                           segments=sum(len(c.segments) for c in clips),
                           sha256=hashlib.sha256(manifest).hexdigest())
