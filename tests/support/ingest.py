"""Segments uploaded to a running stack, and the server's index read back through its models."""

from __future__ import annotations

from typing import Any

import httpx
from minio import Minio
from sqlalchemy import select

from proctor.db.models import AuditEntry, Segment
from proctor.recording.store import ObjectStore
from support.segments import digest_header
from support.stack import Stack

T0 = 1_795_000_000_000  # a fixed agent-clock start, epoch ms


def put_segment(stack: Stack, camera_id: int, start_ms: int, data: bytes, *,
                token: str | None = None, end_ms: int | None = None, offset_ms: float = 0.0,
                digest: str | None = None, content_type: str = "video/mp2t") -> httpx.Response:
    """Upload one segment as the agent does (``PUT /api/cameras/{id}/segments/{start}``)."""
    assert stack.site_a is not None
    headers = {"Authorization": f"Bearer {token or stack.site_a.device_token}",
               "Content-Type": content_type, "X-Segment-End-Ms": str(end_ms or start_ms + 10_000),
               "X-Clock-Offset-Ms": str(offset_ms), "Repr-Digest": digest or digest_header(data)}
    return httpx.put(f"{stack.url}/api/cameras/{camera_id}/segments/{start_ms}", content=data,
                     headers=headers, timeout=30)


def store_of(stack: Stack) -> ObjectStore:
    """The stack's object store, as the server sees it."""
    env = stack.server_env
    return ObjectStore(Minio(env["PROCTOR_S3_ENDPOINT"], env["PROCTOR_S3_ACCESS_KEY"],
                             env["PROCTOR_S3_SECRET_KEY"], secure=False, region="us-east-1"),
                       env["PROCTOR_S3_BUCKET"])


def segments(stack: Stack, camera_id: int | None = None, *, order: Any = Segment.start_ms
             ) -> list[Segment]:
    """The server's segment records (of one camera, or all), detached from the session."""
    query = select(Segment).order_by(order)
    if camera_id is not None:
        query = query.where(Segment.camera_id == camera_id)
    with stack.db() as db:
        return list(db.scalars(query))


def audit_actions(stack: Stack, target: str | None = None) -> list[str]:
    """The audit log's actions in order (on one target, or all)."""
    query = select(AuditEntry.action).order_by(AuditEntry.id)
    if target is not None:
        query = query.where(AuditEntry.target == target)
    with stack.db() as db:
        return list(db.scalars(query))
