"""Archived footage for people allowed to see it: clips and thumbnails, every access audited."""

from __future__ import annotations

import contextlib
import time
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from proctor import audit
from proctor.api.camera_access import ArchiveCamera, ArchiveFootage, EvidenceCamera
from proctor.api.deps import CurrentUser, RecordingDep, SessionDep
from proctor.api.schema_base import file_answer
from proctor.api.schemas import EvidenceRequest, SigningKeyPublic
from proctor.private_file import private_dir
from proctor.recording.archive import MAX_CLIP_MS, Archive
from proctor.recording.evidence import ExportRequest, write_package

router = APIRouter(prefix="/api", tags=["archive"])
MAX_ROLL_S = 300
STALE_EXPORT_S = 6 * 3600  # far longer than any download of a package


async def audited(db: Session, actor: str, action: str, target: str, **detail: object) -> None:
    """:func:`audit.record` off the event loop. On PostgreSQL it waits for the chain's lock,
    which another request holds until its transaction ends; that request ends on this loop,
    so waiting here froze the node (two clip readers at once: every request hung)."""
    await run_in_threadpool(audit.record, db, actor, action, target, **detail)


def get_archive(recording: RecordingDep) -> Archive:
    """The archive reader (503 without an object store)."""
    return recording.archive


ArchiveDep = Annotated[Archive, Depends(get_archive)]


def rolled_window(start_ms: int, end_ms: int, pre_s: float, post_s: float) -> tuple[int, int]:
    """The window widened by pre- and post-roll; 400 if empty or longer than allowed."""
    start, end = start_ms - round(pre_s * 1000), end_ms + round(post_s * 1000)
    if not 0 < end - start <= MAX_CLIP_MS:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail="'to' must be after 'from', "
                            f"and a clip at most {MAX_CLIP_MS // 3_600_000} h long")
    return start, end


@router.get("/cameras/{camera_id}/clip.mp4", response_class=Response,
            responses=file_answer("video/mp4", "the clip (206 with the range asked for)"))
async def clip(
    camera: ArchiveCamera, user: CurrentUser, db: SessionDep, archive: ArchiveDep,
    in_scope: ArchiveFootage,
    start_ms: Annotated[int, Query(alias="from", ge=0, le=2**53, description="epoch ms")],
    end_ms: Annotated[int, Query(alias="to", ge=0, le=2**53, description="epoch ms")],
    pre_s: Annotated[float, Query(alias="pre", ge=0, le=MAX_ROLL_S, description="pre-roll")] = 0,
    post_s: Annotated[float, Query(alias="post", ge=0, le=MAX_ROLL_S, description="post-roll")] = 0,
    download: Annotated[bool, Query(description="true: save as a file (Content-Disposition: "
                                    "attachment); false: play in the page (inline)")] = False,
) -> FileResponse:
    """An MP4 of the window (plus rolls), remuxed from the stored segments. It plays in a
    ``<video>`` element (inline, HTTP Range for seeking: 206 with the bytes asked for), or
    downloads with ``download=true``."""
    start, end = rolled_window(start_ms, end_ms, pre_s, post_s)
    in_scope(start, end)
    path = await run_in_threadpool(archive.clip, db, camera.id, start, end)
    await audited(db, f"user:{user.id}", "archive.clip", f"camera:{camera.id}",
                  from_ms=start, to_ms=end)
    return FileResponse(path, media_type="video/mp4",
                        filename=f"camera{camera.id}-{start}-{end}.mp4",
                        content_disposition_type="attachment" if download else "inline")


@router.get("/cameras/{camera_id}/thumbnail.jpg", response_class=Response,
            responses=file_answer("image/jpeg", "the frame nearest the instant"))
async def thumbnail(
    camera: ArchiveCamera, user: CurrentUser, db: SessionDep, archive: ArchiveDep,
    in_scope: ArchiveFootage,
    at_ms: Annotated[int, Query(alias="at", ge=0, le=2**53, description="epoch ms")],
) -> Response:
    """A JPEG of the camera at an instant."""
    in_scope(at_ms, at_ms)
    jpeg = await run_in_threadpool(archive.thumbnail, db, camera.id, at_ms)
    await audited(db, f"user:{user.id}", "archive.thumbnail", f"camera:{camera.id}", at_ms=at_ms)
    return Response(jpeg, media_type="image/jpeg")


@router.post("/cameras/{camera_id}/evidence", response_class=Response,
             responses=file_answer("application/zip", "the evidence package"))
async def export_evidence(camera: EvidenceCamera, body: EvidenceRequest, user: CurrentUser,
                          db: SessionDep, archive: ArchiveDep,
                          recording: RecordingDep) -> FileResponse:
    """A verifiable evidence package (zip) of the window; the export is audited with its reason.
    The package is written to a temporary file (never held in memory) and removed once sent."""
    start, end = rolled_window(body.from_ms, body.to_ms, body.pre_s, body.post_s)
    request = ExportRequest(camera, start, end, f"{user.username} (user {user.id})", body.reason)
    package = await run_in_threadpool(_export_path, archive)
    await run_in_threadpool(write_package, db, archive, request, package, recording.signer)
    await audited(db, f"user:{user.id}", "archive.export", f"camera:{camera.id}",
                  from_ms=start, to_ms=end, reason=body.reason,
                  signing_key=recording.signer.public.fingerprint)
    return FileResponse(package, media_type="application/zip",
                        filename=f"evidence-camera{camera.id}-{start}-{end}.zip",
                        background=BackgroundTask(package.unlink, missing_ok=True))


def _export_path(archive: Archive) -> Path:
    """A new file name for a package being sent, after removing packages whose download
    was abandoned (their removal after sending never ran)."""
    exports = private_dir(archive.cache_dir / "exports")
    for stale in exports.glob("evidence-*.zip"):
        with contextlib.suppress(FileNotFoundError):
            if time.time() - stale.stat().st_mtime > STALE_EXPORT_S:
                stale.unlink()
    return exports / f"evidence-{uuid.uuid4().hex}.zip"


@router.get("/evidence/signing-key")
def signing_key(user: CurrentUser, recording: RecordingDep) -> SigningKeyPublic:
    """The key evidence packages are signed with: compare its fingerprint with the one a
    package's verification prints (``verify-evidence --key-fingerprint``)."""
    public = recording.signer.public
    return SigningKeyPublic(algorithm=public.algorithm, public_key=public.public_key,
                            fingerprint=public.fingerprint)
