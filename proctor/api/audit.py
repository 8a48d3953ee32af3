"""The audit log, read-only, for auditors and administrators. It is the centre's oversight
record: auditors read all of it, whatever sites they are granted (grants limit footage)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Query

from proctor import audit
from proctor.api.deps import SessionDep, guarded_router
from proctor.api.params import MAX_ID, SHORT_TEXT
from proctor.api.schemas import AuditEntryPublic
from proctor.auth.scope import Permission
from proctor.db.base import as_utc

router = guarded_router("audit", Permission.READ_AUDIT_LOG)


@router.get("/audit")
def read_audit_log(
    db: SessionDep,
    actor: Annotated[str | None, Query(
        max_length=SHORT_TEXT,
        description="who, exactly: user:3, login:sam, device:2, cli:root, system:…")] = None,
    action: Annotated[str | None, Query(
        max_length=SHORT_TEXT, description="what, by prefix: archive., auth.login")] = None,
    target: Annotated[str | None, Query(
        max_length=SHORT_TEXT, description="on what, exactly: camera:2, user:5")] = None,
    since: Annotated[datetime | None, Query(description="at or after (ISO 8601; UTC without "
                                                        "an offset)")] = None,
    until: Annotated[datetime | None, Query(description="before (ISO 8601)")] = None,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="next page: entries "
                                                               "older than this id")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AuditEntryPublic]:
    """Audit entries, newest first. For the next page pass the last entry's id as
    ``before_id``."""
    query = audit.AuditQuery(actor=actor, action=action, target=target,
                             since=as_utc(since) if since else None,
                             until=as_utc(until) if until else None,
                             before_id=before_id, limit=limit)
    return [AuditEntryPublic.model_validate(entry) for entry in audit.search(db, query)]
