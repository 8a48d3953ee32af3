"""Recording endpoints: segment upload and device status (edge agents), coverage (users)."""

from __future__ import annotations

import base64
import binascii
import re
import time
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from proctor.api.bodies import read_limited
from proctor.api.camera_access import ArchiveCamera, ArchiveFootage, PublishableCamera
from proctor.api.deps import CurrentDevice, RecordingDep, SessionDep, SettingsDep, StoreDep
from proctor.api.params import EPOCH_MS_MAX, SHORT_TEXT, EpochMs
from proctor.api.schemas import (
    CoverageReport,
    DeviceStatus,
    SegmentPublic,
    ServerTime,
    UnreadablePublic,
)
from proctor.db.session import release_connection
from proctor.errors import Conflict, InvalidInput
from proctor.recording import reports
from proctor.recording.ingest import SegmentUpload
from proctor.recording.store import require_store

router = APIRouter(prefix="/api", tags=["recording"])
SEGMENT_MEDIA_TYPE = "video/mp2t"
# Marks a refusal that will never change for these bytes, so the agent may set the segment
# aside. Any other 4xx (from a proxy, a firewall, a redeploy) must be retried by the agent.
PERMANENT_REJECTION = {"X-Proctor-Reject": "permanent"}
# Refusals of these bytes that sending them again cannot change. Not 408: a body that
# stalled (a link cut mid-upload) is answered 408 and must be sent again.
PERMANENT_STATUSES = frozenset({400, 409, 411, 413, 415})
_SHA256_DIGEST = re.compile(r"sha-256=:([A-Za-z0-9+/=]+):")


def declared_sha256(repr_digest: str | None) -> str:
    """The hex SHA-256 in an RFC 9530 ``Repr-Digest`` header; 400 when absent or malformed."""
    match = _SHA256_DIGEST.search(repr_digest or "")
    try:
        raw = base64.b64decode(match.group(1), validate=True) if match else b""
    except binascii.Error:
        raw = b""
    if len(raw) != 32:
        raise HTTPException(status.HTTP_400_BAD_REQUEST,
                            detail="send the segment's SHA-256 as "
                                   "'Repr-Digest: sha-256=:<base64>:'")
    return raw.hex()


@router.put("/cameras/{camera_id}/segments/{start_ms}")
async def upload_segment(
    camera: PublishableCamera, start_ms: EpochMs, request: Request, settings: SettingsDep,
    recording: RecordingDep, db: SessionDep,
    end_ms: Annotated[int, Header(alias="X-Segment-End-Ms", ge=0, le=EPOCH_MS_MAX)],
    clock_offset_ms: Annotated[float, Header(alias="X-Clock-Offset-Ms")] = 0.0,
    repr_digest: Annotated[str | None, Header(alias="Repr-Digest", max_length=SHORT_TEXT)] = None,
) -> JSONResponse:
    """Store one recorded segment (idempotent: re-sending the same bytes answers 200)."""
    release_connection(db)  # the body and the store take a while; ingest has its own session
    try:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != SEGMENT_MEDIA_TYPE:
            raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                                detail=f"send segments as Content-Type: {SEGMENT_MEDIA_TYPE}")
        sha256 = declared_sha256(repr_digest)
        data = await read_limited(request, settings.max_segment_bytes, "segment",
                                  require_length=True)
        upload = SegmentUpload(camera.id, start_ms, end_ms, clock_offset_ms, sha256, data)
        segment, created = await run_in_threadpool(recording.ingest.ingest, upload)
    except HTTPException as error:
        if error.status_code not in PERMANENT_STATUSES:
            raise
        raise HTTPException(error.status_code, error.detail, headers=PERMANENT_REJECTION) from error
    except (InvalidInput, Conflict) as error:
        code = status.HTTP_409_CONFLICT if isinstance(error, Conflict) \
            else status.HTTP_400_BAD_REQUEST
        raise HTTPException(code, str(error), headers=PERMANENT_REJECTION) from error
    body = SegmentPublic.model_validate(segment).model_dump(mode="json")
    return JSONResponse(body, status_code=status.HTTP_201_CREATED if created
                        else status.HTTP_200_OK)


@router.get("/time")
def server_time(device: CurrentDevice) -> ServerTime:
    """The server's clock, for the agent's offset measurement."""
    return ServerTime(server_time_ms=time.time() * 1000)


@router.post("/devices/me/status", status_code=status.HTTP_204_NO_CONTENT)
def report_status(body: DeviceStatus, device: CurrentDevice, db: SessionDep) -> None:
    """An agent's periodic report; a spool alarm is logged loudly."""
    reports.note_agent_status(device, body.model_dump(mode="json"), body.alarm)


@router.get("/cameras/{camera_id}/coverage")
def camera_coverage(
    camera: ArchiveCamera, db: SessionDep, in_scope: ArchiveFootage,
    start_ms: Annotated[int, Query(alias="from", ge=0, le=2**53,
                                   description="window start, epoch ms")],
    end_ms: Annotated[int, Query(alias="to", ge=0, le=2**53,
                                 description="window end, epoch ms")],
    store: StoreDep,
    check_store: Annotated[bool, Query(
        description="also ask the store for each segment: recorded but unreadable ones are "
        "listed and the window is not complete")] = False,
) -> CoverageReport:
    """Recorded intervals and gaps of the camera within the window (a drawn supervisor:
    a window within the granted ones; 403 naming them otherwise), as the index has them;
    with ``check_store`` also the segments the store cannot give back."""
    in_scope(start_ms, end_ms)
    report = reports.camera_coverage(db, camera.id, start_ms, end_ms)
    unreadable = reports.unreadable_segments(
        db, require_store(store, "checking footage against the store"), camera.id, start_ms,
        end_ms) if check_store else []
    return CoverageReport(camera_id=camera.id, start_ms=start_ms, end_ms=end_ms,
                          complete=report.complete and not unreadable,
                          recorded_ms=report.recorded_ms, intervals=report.intervals,
                          gaps=report.gaps, store_checked=check_store,
                          unreadable=[UnreadablePublic.of(item) for item in unreadable])
